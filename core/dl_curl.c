/* SPDX-License-Identifier: MIT */
/*
 * dl_curl: the curl_*() functions sitrep calls, each forwarding to
 * libcurl's own once it is loaded (see dl_curl.h).  The list below is
 * exactly what the HTTP source and the webhook carrier use; a call to
 * another curl function fails the link, which is how this list is kept
 * complete.  The prototypes come from <curl/curl.h>: a definition here
 * that disagrees with libcurl's does not compile.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <stdarg.h>

#include "core/dl_curl.h"
#include "core/dynlib.h"

/*
 * F(type, name, parameters, arguments, value when libcurl is missing);
 * V(name, parameters, arguments) for those returning nothing; N(name)
 * for the variadic ones, forwarded by hand below.
 */
#define SR_CURL_FNS(F, V, N)                                                   \
	F(CURLcode, curl_global_init, (long flags), (flags),                   \
	    CURLE_FAILED_INIT)                                                 \
	V(curl_global_cleanup, (void), ())                                     \
	F(curl_version_info_data *, curl_version_info, (CURLversion v), (v),   \
	    NULL)                                                              \
	F(CURL *, curl_easy_init, (void), (), NULL)                            \
	V(curl_easy_cleanup, (CURL * h), (h))                                  \
	V(curl_easy_reset, (CURL * h), (h))                                    \
	F(const char *, curl_easy_strerror, (CURLcode c), (c),                 \
	    "libcurl is not loaded")                                           \
	F(char *, curl_easy_escape, (CURL * h, const char *s, int n),          \
	    (h, s, n), NULL)                                                   \
	V(curl_free, (void *p), (p))                                           \
	F(struct curl_slist *, curl_slist_append,                              \
	    (struct curl_slist * l, const char *s), (l, s), NULL)              \
	V(curl_slist_free_all, (struct curl_slist * l), (l))                   \
	F(CURLM *, curl_multi_init, (void), (), NULL)                          \
	F(CURLMcode, curl_multi_cleanup, (CURLM * m), (m), CURLM_BAD_HANDLE)   \
	F(CURLMcode, curl_multi_add_handle, (CURLM * m, CURL * h), (m, h),     \
	    CURLM_BAD_HANDLE)                                                  \
	F(CURLMcode, curl_multi_remove_handle, (CURLM * m, CURL * h), (m, h),  \
	    CURLM_BAD_HANDLE)                                                  \
	F(CURLMcode, curl_multi_perform, (CURLM * m, int *running),            \
	    (m, running), CURLM_BAD_HANDLE)                                    \
	F(CURLMcode, curl_multi_socket_action,                                 \
	    (CURLM * m, curl_socket_t s, int ev, int *running),                \
	    (m, s, ev, running), CURLM_BAD_HANDLE)                             \
	F(CURLMsg *, curl_multi_info_read, (CURLM * m, int *left), (m, left),  \
	    NULL)                                                              \
	F(CURLU *, curl_url, (void), (), NULL)                                 \
	V(curl_url_cleanup, (CURLU * u), (u))                                  \
	F(CURLUcode, curl_url_set,                                             \
	    (CURLU * u, CURLUPart what, const char *part, unsigned int flags), \
	    (u, what, part, flags), CURLUE_BAD_HANDLE)                         \
	F(CURLUcode, curl_url_get,                                             \
	    (CURLU * u, CURLUPart what, char **part, unsigned int flags),      \
	    (u, what, part, flags), CURLUE_BAD_HANDLE)                         \
	F(const char *, curl_url_strerror, (CURLUcode c), (c),                 \
	    "libcurl is not loaded")                                           \
	N(curl_easy_setopt)                                                    \
	N(curl_easy_getinfo)                                                   \
	N(curl_multi_setopt)

#define CURL_IDX_F(t, name, p, a, f) CURL_I_##name,
#define CURL_IDX_V(name, p, a) CURL_I_##name,
#define CURL_IDX_N(name) CURL_I_##name,
enum {
	SR_CURL_FNS(CURL_IDX_F, CURL_IDX_V, CURL_IDX_N) CURL_I_COUNT
};

#define CURL_NAME_F(t, name, p, a, f) #name,
#define CURL_NAME_V(name, p, a) #name,
#define CURL_NAME_N(name) #name,
static const char *const curl_names[] = { SR_CURL_FNS(CURL_NAME_F, CURL_NAME_V,
    CURL_NAME_N) NULL };

static void *curl_fns[CURL_I_COUNT];

static struct sr_dynlib curl_lib = { SR_CURL_SONAME, SR_CURL_PACKAGE,
	curl_names, curl_fns, 0, "" };

/* libcurl's own function name, typed as <curl/curl.h> declares it */
#define CURL_FN(name) ((__typeof__(&name))curl_fns[CURL_I_##name])

int
sr_curl_load(struct sr_err *err)
{
	return sr_dynlib_load(&curl_lib, err);
}

#define CURL_DEF_F(type, name, params, args, fail) \
	type(name) params                          \
	{                                          \
		if (!sr_dynlib_ready(&curl_lib))   \
			return fail;               \
		return CURL_FN(name) args;         \
	}
#define CURL_DEF_V(name, params, args)          \
	void(name) params                       \
	{                                       \
		if (sr_dynlib_ready(&curl_lib)) \
			CURL_FN(name) args;     \
	}
#define CURL_DEF_N(name)
SR_CURL_FNS(CURL_DEF_F, CURL_DEF_V, CURL_DEF_N)

/*
 * The setopt functions take one argument after the option, whose type
 * the option's number gives (curl's CURLOPTTYPE_* ranges, the same for
 * the multi options): read it as that type and pass it on.
 */
#define CURL_SETOPT(fn, h, opt, ap)                              \
	((opt) < CURLOPTTYPE_OBJECTPOINT                         \
		? (fn)((h), (opt), va_arg((ap), long))           \
		: (opt) < CURLOPTTYPE_FUNCTIONPOINT              \
		? (fn)((h), (opt), va_arg((ap), void *))         \
		: (opt) < CURLOPTTYPE_OFF_T                      \
		? (fn)((h), (opt), va_arg((ap), void (*)(void))) \
		: (opt) < CURLOPTTYPE_BLOB                       \
		? (fn)((h), (opt), va_arg((ap), curl_off_t))     \
		: (fn)((h), (opt), va_arg((ap), void *)))

CURLcode(curl_easy_setopt)(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if (!sr_dynlib_ready(&curl_lib))
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	rc = CURL_SETOPT(CURL_FN(curl_easy_setopt), h, opt, ap);
	va_end(ap);
	return rc;
}

CURLMcode(curl_multi_setopt)(CURLM *m, CURLMoption opt, ...)
{
	va_list ap;
	CURLMcode rc;

	if (!sr_dynlib_ready(&curl_lib))
		return CURLM_BAD_HANDLE;
	va_start(ap, opt);
	rc = CURL_SETOPT(CURL_FN(curl_multi_setopt), m, opt, ap);
	va_end(ap);
	return rc;
}

/* every CURLINFO_* takes a pointer to where the answer goes */
CURLcode(curl_easy_getinfo)(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	if (!sr_dynlib_ready(&curl_lib))
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = CURL_FN(curl_easy_getinfo)(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
