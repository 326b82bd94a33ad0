/* SPDX-License-Identifier: MIT */
/*
 * dynlib: load a shared library on first use (see dynlib.h).  One lock
 * for all libraries: loading happens once per library and process.
 */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

static void
dynlib_open(struct sr_dynlib *l)
{
	const char *why;
	void *h;
	size_t i;

	h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		why = dlerror();
		snprintf(l->msg, sizeof l->msg, "cannot load %s (%s): %s",
		    l->soname, l->package, why ? why : "not found");
		l->state = -1;
		return;
	}
	for (i = 0; l->names[i] != NULL; i++) {
		l->fns[i] = dlsym(h, l->names[i]);
		if (l->fns[i] == NULL) {
			snprintf(l->msg, sizeof l->msg,
			    "%s has no %s(): %s is too old", l->soname,
			    l->names[i], l->package);
			dlclose(h);
			l->state = -1;
			return;
		}
	}
	__atomic_store_n(&l->state, 1, __ATOMIC_RELEASE);
}

int
sr_dynlib_load(struct sr_dynlib *l, struct sr_err *err)
{
	int state;

	pthread_mutex_lock(&dynlib_lock);
	if (l->state == 0)
		dynlib_open(l);
	state = l->state;
	pthread_mutex_unlock(&dynlib_lock);
	if (state == 1)
		return 0;
	return sr_err_set(err, "%s", l->msg);
}

int
sr_dynlib_ready(struct sr_dynlib *l)
{
	/* the common case, on every forwarded call: loaded, no lock */
	if (__atomic_load_n(&l->state, __ATOMIC_ACQUIRE) == 1)
		return 1;
	return sr_dynlib_load(l, NULL) == 0;
}
