/* SPDX-License-Identifier: MIT */
/*
 * dl_mhd: the MHD_*() functions the web layer calls, each forwarding to
 * libmicrohttpd's own once it is loaded (see dl_mhd.h, and
 * core/dl_curl.c, built the same way).  A call to another MHD function
 * fails the link; the prototypes come from <microhttpd.h>.
 */
#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dynlib.h"
#include "web/dl_mhd.h"

/*
 * F(type, name, parameters, arguments, value when the library is
 * missing); V(name, parameters, arguments) for those returning nothing;
 * N(name) for those forwarded by hand below.
 */
#define SR_MHD_FNS(F, V, N)                                                \
	F(enum MHD_Result, MHD_add_response_header,                        \
	    (struct MHD_Response * r, const char *h, const char *v),       \
	    (r, h, v), MHD_NO)                                             \
	F(enum MHD_Result, MHD_del_response_header,                        \
	    (struct MHD_Response * r, const char *h, const char *v),       \
	    (r, h, v), MHD_NO)                                             \
	F(const char *, MHD_lookup_connection_value,                       \
	    (struct MHD_Connection * c, enum MHD_ValueKind k,              \
		const char *key),                                          \
	    (c, k, key), NULL)                                             \
	F(int, MHD_get_connection_values,                                  \
	    (struct MHD_Connection * c, enum MHD_ValueKind k,              \
		MHD_KeyValueIterator it, void *cls),                       \
	    (c, k, it, cls), -1)                                           \
	F(enum MHD_Result, MHD_queue_response,                             \
	    (struct MHD_Connection * c, unsigned int status,               \
		struct MHD_Response *r),                                   \
	    (c, status, r), MHD_NO)                                        \
	F(struct MHD_Response *, MHD_create_response_from_buffer,          \
	    (size_t n, void *buf, enum MHD_ResponseMemoryMode mode),       \
	    (n, buf, mode), NULL)                                          \
	F(struct MHD_Response *, MHD_create_response_from_callback,        \
	    (uint64_t size, size_t block, MHD_ContentReaderCallback crc,   \
		void *crc_cls, MHD_ContentReaderFreeCallback crfc),        \
	    (size, block, crc, crc_cls, crfc), NULL)                       \
	V(MHD_destroy_response, (struct MHD_Response * r), (r))            \
	V(MHD_stop_daemon, (struct MHD_Daemon * d), (d))                   \
	F(enum MHD_Result, MHD_run, (struct MHD_Daemon * d), (d), MHD_NO)  \
	V(MHD_suspend_connection, (struct MHD_Connection * c), (c))        \
	V(MHD_resume_connection, (struct MHD_Connection * c), (c))         \
	F(enum MHD_Result, MHD_is_feature_supported, (enum MHD_FEATURE f), \
	    (f), MHD_NO)                                                   \
	F(const char *, MHD_get_version, (void), (), NULL)                 \
	N(MHD_start_daemon_va)                                             \
	N(MHD_get_connection_info)                                         \
	N(MHD_get_daemon_info)                                             \
	N(MHD_set_connection_option)

#define MHD_IDX_F(t, name, p, a, f) MHD_I_##name,
#define MHD_IDX_V(name, p, a) MHD_I_##name,
#define MHD_IDX_N(name) MHD_I_##name,
enum {
	SR_MHD_FNS(MHD_IDX_F, MHD_IDX_V, MHD_IDX_N) MHD_I_COUNT
};

#define MHD_NAME_F(t, name, p, a, f) #name,
#define MHD_NAME_V(name, p, a) #name,
#define MHD_NAME_N(name) #name,
static const char *const mhd_names[] = { SR_MHD_FNS(MHD_NAME_F, MHD_NAME_V,
    MHD_NAME_N) NULL };

static void *mhd_fns[MHD_I_COUNT];

static struct sr_dynlib mhd_lib = { SR_MHD_SONAME, SR_MHD_PACKAGE, mhd_names,
	mhd_fns, 0, "" };

/* the library's own function, typed as <microhttpd.h> declares it */
#define MHD_FN(name) ((__typeof__(&name))mhd_fns[MHD_I_##name])

int
sr_mhd_load(struct sr_err *err)
{
	return sr_dynlib_load(&mhd_lib, err);
}

#define MHD_DEF_F(type, name, params, args, fail) \
	type(name) params                         \
	{                                         \
		if (!sr_dynlib_ready(&mhd_lib))   \
			return fail;              \
		return MHD_FN(name) args;         \
	}
#define MHD_DEF_V(name, params, args)          \
	void(name) params                      \
	{                                      \
		if (sr_dynlib_ready(&mhd_lib)) \
			MHD_FN(name) args;     \
	}
#define MHD_DEF_N(name)
SR_MHD_FNS(MHD_DEF_F, MHD_DEF_V, MHD_DEF_N)

/* the option list goes on as a va_list: libmicrohttpd has that entry */
struct MHD_Daemon *(MHD_start_daemon)(unsigned int flags, uint16_t port,
    MHD_AcceptPolicyCallback apc, void *apc_cls, MHD_AccessHandlerCallback dh,
    void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!sr_dynlib_ready(&mhd_lib))
		return NULL;
	va_start(ap, dh_cls);
	d = MHD_FN(
	    MHD_start_daemon_va)(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* no connection or daemon information type takes an argument */
const union MHD_ConnectionInfo *(
    MHD_get_connection_info)(struct MHD_Connection *c,
    enum MHD_ConnectionInfoType type, ...)
{
	if (!sr_dynlib_ready(&mhd_lib))
		return NULL;
	return MHD_FN(MHD_get_connection_info)(c, type);
}

const union MHD_DaemonInfo *(MHD_get_daemon_info)(struct MHD_Daemon *d,
    enum MHD_DaemonInfoType type, ...)
{
	if (!sr_dynlib_ready(&mhd_lib))
		return NULL;
	return MHD_FN(MHD_get_daemon_info)(d, type);
}

/* MHD_CONNECTION_OPTION_TIMEOUT, the one option, takes an unsigned int */
enum MHD_Result(MHD_set_connection_option)(struct MHD_Connection *c,
    enum MHD_CONNECTION_OPTION option, ...)
{
	enum MHD_Result rc;
	va_list ap;

	if (!sr_dynlib_ready(&mhd_lib))
		return MHD_NO;
	va_start(ap, option);
	rc = MHD_FN(
	    MHD_set_connection_option)(c, option, va_arg(ap, unsigned int));
	va_end(ap);
	return rc;
}
