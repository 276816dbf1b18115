/* Stand-in for libFuzzer's main(): runs LLVMFuzzerTestOneInput() once on
 * every file named on the command line and on every regular file of every
 * directory named there (not recursive, in name order). Arguments starting
 * with '-' are ignored, so libFuzzer-style flags do no harm.
 *
 * Each input is copied into a heap block of exactly its size, so that
 * AddressSanitizer and valgrind catch reads past its end. The run fails
 * when a path cannot be read or when no input at all was found. Works with
 * any C compiler; it is how the seed corpora run as regression tests. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as with libFuzzer. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *copy;
	size_t len = 0, cap = 0;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;
		if (len == cap) {
			unsigned char *nb;
			cap = cap != 0 ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);

	/* exact-size copy (malloc(0) may return NULL: use 1 byte then) */
	copy = malloc(len != 0 ? len : 1);
	if (copy == NULL) {
		free(buf);
		return -1;
	}
	if (len != 0)
		memcpy(copy, buf, len);
	free(buf);

	printf("replay: %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	(*count)++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;
			cap = cap != 0 ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    run_file(names[i], count) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, failed = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				failed = 1;
		} else if (run_file(argv[i], &count) != 0) {
			failed = 1;
		}
	}
	printf("replay: %lu input(s) run\n", count);
	if (count == 0) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	return failed;
}
