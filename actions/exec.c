/* SPDX-License-Identifier: MIT */
/*
 * exec: run an action's command with /bin/sh -c, the insight in SITREP_*
 * environment variables and as JSON on stdin.  The command runs in its
 * own process group with stdout/stderr on /dev/null (the terminal
 * belongs to the TUI); it is reaped with waitpid(WNOHANG) on the tick and
 * its group is killed once the timeout passes.  The environment is built
 * before fork(): the child only calls async-signal-safe functions.
 */
#include "actions/action_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct exec_job {
	pid_t pid;
	int64_t deadline_ms; /* monotonic */
	int killed;
};

struct sr_exec {
	struct exec_job *jobs;
	size_t n, cap;
	uint64_t ok, failed;
};

struct sr_exec *
sr_exec_new(void)
{
	return sr_xcalloc(1, sizeof(struct sr_exec));
}

/* environ + extra, as one NULL-terminated array (strings borrowed). */
static char **
exec_env(char **extra)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (extra[k] != NULL)
		k++;
	env = sr_xcalloc(n + k + 1, sizeof(*env));
	k = 0;
	for (size_t i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "SITREP_INSIGHT", 14) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; extra[i] != NULL; i++)
		env[k++] = extra[i];
	env[k] = NULL;
	return env;
}

int
sr_exec_start(struct sr_exec *x, const char *cmd, int64_t timeout_ms,
    const struct sr_action_msg *msg, struct sr_err *err)
{
	int fds[2];
	pid_t pid;
	char **env;
	char *argv[4];
	size_t len = strlen(msg->json);

	if (pipe(fds) < 0)
		return sr_err_set(err, "cannot create pipe: %s",
		    strerror(errno));
	env = exec_env(msg->env);
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		(void)close(fds[0]);
		(void)close(fds[1]);
		free(env);
		return sr_err_set(err, "cannot fork: %s", strerror(e));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		(void)setpgid(0, 0);
		(void)dup2(fds[0], 0);
		if (null >= 0) {
			(void)dup2(null, 1);
			(void)dup2(null, 2);
		}
		(void)close(fds[0]);
		(void)close(fds[1]);
		execve("/bin/sh", argv, env);
		_exit(127);
	}
	free(env);
	(void)setpgid(pid, pid); /* also from here: no race on kill */
	(void)close(fds[0]);
	/* the payload is far below a pipe's buffer: a non-blocking write
	 * either fits or the command does not read stdin (then drop it) */
	(void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		ssize_t w = write(fds[1], msg->json, len);

		(void)w; /* a short write only cuts the JSON */
		(void)signal(SIGPIPE, old);
	}
	(void)close(fds[1]);
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->jobs = sr_xrealloc(x->jobs, x->cap * sizeof(*x->jobs));
	}
	x->jobs[x->n].pid = pid;
	x->jobs[x->n].deadline_ms = sr_mono_ms() + timeout_ms;
	x->jobs[x->n].killed = 0;
	x->n++;
	return 0;
}

size_t
sr_exec_poll(struct sr_exec *x)
{
	int64_t now = sr_mono_ms();
	size_t k = 0;

	for (size_t i = 0; i < x->n; i++) {
		struct exec_job *j = &x->jobs[i];
		int status;
		pid_t r = waitpid(j->pid, &status, WNOHANG);

		if (r == j->pid || (r < 0 && errno == ECHILD)) {
			if (r == j->pid && !j->killed && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0)
				x->ok++;
			else
				x->failed++;
			continue;
		}
		if (!j->killed && now >= j->deadline_ms) {
			(void)kill(-j->pid, SIGKILL);
			(void)kill(j->pid, SIGKILL);
			j->killed = 1;
		}
		x->jobs[k++] = *j;
	}
	x->n = k;
	return k;
}

void
sr_exec_free(struct sr_exec *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n; i++) {
		int status;

		(void)kill(-x->jobs[i].pid, SIGKILL);
		(void)kill(x->jobs[i].pid, SIGKILL);
		(void)waitpid(x->jobs[i].pid, &status, 0);
	}
	free(x->jobs);
	free(x);
}

uint64_t
sr_exec_ok(const struct sr_exec *x)
{
	return x->ok;
}

uint64_t
sr_exec_failed(const struct sr_exec *x)
{
	return x->failed;
}
