/* SPDX-License-Identifier: MIT */
/*
 * A fake libnvidia-ml.so.1 for tests/unit/test_gpu.c: two GPUs with fixed
 * readings.  GPU 0: 40 % busy, 20 % memory busy, 4 GiB of 16 GiB used,
 * 55 C, 123456 mW.  GPU 1: 90 %, 70 %, 60 GiB of 80 GiB, 71 C, 300000 mW,
 * and its power call fails (NVML_ERROR_NOT_SUPPORTED = 3) so that metric
 * must be absent.  make builds it as $(BUILD)/tests/libfakenvml.so.
 */
#include <stddef.h>

struct fake_dev {
	unsigned util, mem_util, temp, power_mw;
	unsigned long long total, used;
	int power_ok;
};

static const struct fake_dev fake_devs[2] = {
	{ 40, 20, 55, 123456, 16ULL << 30, 4ULL << 30, 1 },
	{ 90, 70, 71, 300000, 80ULL << 30, 60ULL << 30, 0 },
};

struct nvml_utilization {
	unsigned gpu, memory;
};
struct nvml_memory {
	unsigned long long total, free, used;
};

int nvmlInit_v2(void);
int nvmlShutdown(void);
int nvmlDeviceGetCount_v2(unsigned *n);
int nvmlDeviceGetHandleByIndex_v2(unsigned i, const struct fake_dev **d);
int nvmlDeviceGetUtilizationRates(const struct fake_dev *d,
    struct nvml_utilization *u);
int nvmlDeviceGetMemoryInfo(const struct fake_dev *d, struct nvml_memory *m);
int nvmlDeviceGetTemperature(const struct fake_dev *d, int sensor, unsigned *t);
int nvmlDeviceGetPowerUsage(const struct fake_dev *d, unsigned *mw);

int
nvmlInit_v2(void)
{
	return 0;
}
int
nvmlShutdown(void)
{
	return 0;
}

int
nvmlDeviceGetCount_v2(unsigned *n)
{
	*n = 2;
	return 0;
}

int
nvmlDeviceGetHandleByIndex_v2(unsigned i, const struct fake_dev **d)
{
	if (i >= 2)
		return 2; /* NVML_ERROR_INVALID_ARGUMENT */
	*d = &fake_devs[i];
	return 0;
}

int
nvmlDeviceGetUtilizationRates(const struct fake_dev *d,
    struct nvml_utilization *u)
{
	u->gpu = d->util;
	u->memory = d->mem_util;
	return 0;
}

int
nvmlDeviceGetMemoryInfo(const struct fake_dev *d, struct nvml_memory *m)
{
	m->total = d->total;
	m->used = d->used;
	m->free = d->total - d->used;
	return 0;
}

int
nvmlDeviceGetTemperature(const struct fake_dev *d, int sensor, unsigned *t)
{
	if (sensor != 0)
		return 2;
	*t = d->temp;
	return 0;
}

int
nvmlDeviceGetPowerUsage(const struct fake_dev *d, unsigned *mw)
{
	if (!d->power_ok)
		return 3;
	*mw = d->power_mw;
	return 0;
}
