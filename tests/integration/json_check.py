# json_check.py OUT [FIELD JSON]...: every line of OUT is a JSON object
# without a duplicate key (an object_pairs_hook rejects them: jq would keep
# the last one silently), and each FIELD, taken from every object in order,
# equals the JSON list given (a dotted FIELD such as metadata.method walks
# into objects; FIELD~ compares numbers within a relative 1e-9, for values
# printed with fewer digits than a double holds).  Exit 1, naming the
# field, when one differs.
# json_check.py --doc FILE...: each FILE is one JSON document (an HTTP
# answer), or, named sse:FILE, a Server-Sent Events stream whose every
# data: payload is one; none may hold a duplicate key, at any depth.
# Exit 1 naming the file and the keys.
import json
import sys


def nodup(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in %r" % keys)
    return dict(pairs)


def get(o, path):
    for k in path:
        o = o.get(k) if isinstance(o, dict) else None
    return o


def same(got, want, near):
    if not near or len(got) != len(want):
        return got == want
    return all(g == w or (isinstance(g, (int, float)) and isinstance(w, (int, float))
                          and abs(g - w) <= 1e-9 * abs(w)) for g, w in zip(got, want))


def docs(names):
    bad = 0
    for name in names:
        sse = name.startswith("sse:")
        with open(name[4:] if sse else name) as f:
            text = f.read()
        parts = [l[5:].strip() for l in text.splitlines() if l.startswith("data:")] if sse else [text]
        if sse and not parts:
            print("%s: no data: lines" % name)
            bad = 1
        for part in parts:
            try:
                json.loads(part, object_pairs_hook=nodup)
            except ValueError as e:
                print("%s: %s: %s" % (name, e, part[:200]))
                bad = 1
    return bad


if sys.argv[1] == "--doc":
    sys.exit(docs(sys.argv[2:]))
with open(sys.argv[1]) as f:
    out = [json.loads(line, object_pairs_hook=nodup) for line in f]
bad = 0
for field, want in zip(sys.argv[2::2], sys.argv[3::2]):
    near = field.endswith("~")
    got = [get(o, field.rstrip("~").split(".")) for o in out]
    if not same(got, json.loads(want), near):
        print("%s: got %r, want %s" % (field, got, want))
        bad = 1
sys.exit(bad)
