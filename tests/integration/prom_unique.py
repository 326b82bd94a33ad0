# prom_unique.py [FILE]: reads a Prometheus text exposition (stdin or
# FILE) and exits 1 when two samples have the same name and label set
# (labels in any order), printing each duplicate and the lines it is on.
# Real Prometheus drops all but one of them ("Error on ingesting samples
# with different value but same timestamp"); promtool check metrics does
# not see it.  Label values are read with the format's escapes (\\ \" \n),
# so a value holding a comma, brace or quote is one value.
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,)?')


def key(line):
    m = NAME.match(line)
    if not m:
        raise ValueError("no metric name: %r" % line)
    name, i, labels = m.group(0), m.end(), []
    if i < len(line) and line[i] == "{":
        i += 1
        while True:
            if line[i:].lstrip().startswith("}"):
                i = line.index("}", i) + 1
                break
            lm = LABEL.match(line, i)
            if not lm:
                raise ValueError("bad labels: %r" % line)
            labels.append((lm.group(1), lm.group(2)))
            i = lm.end()
    if len(line) <= i or line[i] not in " \t":
        raise ValueError("no value: %r" % line)
    names = [k for k, _ in labels]
    if len(names) != len(set(names)):
        raise ValueError("a label twice: %r" % line)
    return name, tuple(sorted(labels))


seen, dups = {}, 0
src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
for n, line in enumerate(src, 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    k = key(line)
    if k in seen:
        dups += 1
        labels = ",".join('%s="%s"' % kv for kv in k[1])
        print("duplicate sample %s{%s}: lines %d and %d" % (k[0], labels, seen[k], n))
    else:
        seen[k] = n
print("%d samples, %d duplicates" % (len(seen) + dups, dups))
sys.exit(1 if dups else 0)
