/* SPDX-License-Identifier: MIT */
/*
 * gpu_nvml: NVIDIA GPUs through NVML, loaded at run time with dlopen()
 * (the handle's nvml_path: $SITREP_NVML_LIB or "libnvidia-ml.so.1"), so
 * sitrep neither needs NVIDIA headers nor the library.  Loading is tried
 * once, on the first sample; without the library, or when nvmlInit fails,
 * there are no gpu.* metrics from here.  A device call that fails leaves
 * out that one metric.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "collectors/sys_int.h"

/* The few NVML declarations used, as in nvml.h (ABI-stable since 2014). */
typedef int nvml_return; /* NVML_SUCCESS = 0 */
typedef struct nvml_device *nvml_device;
struct nvml_utilization {
	unsigned gpu;
	unsigned memory;
};
struct nvml_memory {
	unsigned long long total;
	unsigned long long free;
	unsigned long long used;
};
#define NVML_TEMPERATURE_GPU 0

struct sys_nvml {
	void *dl;
	nvml_return (*shutdown)(void);
	nvml_return (*count)(unsigned *);
	nvml_return (*handle)(unsigned, nvml_device *);
	nvml_return (*util)(nvml_device, struct nvml_utilization *);
	nvml_return (*mem)(nvml_device, struct nvml_memory *);
	nvml_return (*temp)(nvml_device, int, unsigned *);
	nvml_return (*power)(nvml_device, unsigned *);
};

/* Load the library and NVML; NULL when either is missing. */
static struct sys_nvml *
nvml_load(const char *path)
{
	nvml_return (*init)(void);
	struct sys_nvml *n;
	void *dl;

	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		return NULL;
	n = sr_xcalloc(1, sizeof(*n));
	n->dl = dl;
	init = (nvml_return(*)(void))dlsym(dl, "nvmlInit_v2");
	n->shutdown = (nvml_return(*)(void))dlsym(dl, "nvmlShutdown");
	n->count =
	    (nvml_return(*)(unsigned *))dlsym(dl, "nvmlDeviceGetCount_v2");
	n->handle = (nvml_return(*)(unsigned, nvml_device *))dlsym(dl,
	    "nvmlDeviceGetHandleByIndex_v2");
	n->util =
	    (nvml_return(*)(nvml_device, struct nvml_utilization *))dlsym(dl,
		"nvmlDeviceGetUtilizationRates");
	n->mem = (nvml_return(*)(nvml_device, struct nvml_memory *))dlsym(dl,
	    "nvmlDeviceGetMemoryInfo");
	n->temp = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(dl,
	    "nvmlDeviceGetTemperature");
	n->power = (nvml_return(*)(nvml_device, unsigned *))dlsym(dl,
	    "nvmlDeviceGetPowerUsage");
	if (init == NULL || n->count == NULL || n->handle == NULL ||
	    init() != 0) {
		(void)dlclose(dl); /* nothing was started */
		free(n);
		return NULL;
	}
	return n;
}

int
gpu_nvml_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	struct sys_nvml *n;
	unsigned count = 0;

	if (!s->nvml_tried) {
		s->nvml_tried = 1;
		s->nvml = nvml_load(s->nvml_path);
	}
	n = s->nvml;
	if (n == NULL || n->count(&count) != 0)
		return 0;
	for (unsigned i = 0; i < count; i++) {
		struct nvml_utilization u;
		struct nvml_memory m;
		nvml_device dev;
		unsigned v;

		if (n->handle(i, &dev) != 0)
			continue;
		if (n->util != NULL && n->util(dev, &u) == 0) {
			sr_metric_set_addf(out, "%", u.gpu, "gpu.%u.util_pct",
			    i);
			sr_metric_set_addf(out, "%", u.memory,
			    "gpu.%u.mem_util_pct", i);
		}
		if (n->mem != NULL && n->mem(dev, &m) == 0) {
			sr_metric_set_addf(out, "bytes", (double)m.used,
			    "gpu.%u.mem_used_bytes", i);
			sr_metric_set_addf(out, "bytes", (double)m.total,
			    "gpu.%u.mem_total_bytes", i);
			if (m.total > 0)
				sr_metric_set_addf(out, "%",
				    100.0 * (double)m.used / (double)m.total,
				    "gpu.%u.mem_used_pct", i);
		}
		if (n->temp != NULL &&
		    n->temp(dev, NVML_TEMPERATURE_GPU, &v) == 0)
			sr_metric_set_addf(out, "C", v, "gpu.%u.temp_c", i);
		if (n->power != NULL && n->power(dev, &v) == 0)
			sr_metric_set_addf(out, "W", v / 1000.0,
			    "gpu.%u.power_w", i);
	}
	return (int)count;
}

void
gpu_nvml_release(struct sr_sys *s)
{
	if (s->nvml == NULL)
		return;
	if (s->nvml->shutdown != NULL)
		(void)s->nvml->shutdown(); /* exiting: nothing to do */
	(void)dlclose(s->nvml->dl);
	free(s->nvml);
	s->nvml = NULL;
}
