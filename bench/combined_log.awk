# bench/peers.sh: N combined access-log lines over one day (2026-12-07):
# 200,000 client addresses, about 600 URLs, 7 user agents, realistic
# statuses, sizes and referers; deterministic (srand(1)).  awk -v N=1000000
BEGIN {
	srand(1)
	split("GET GET GET GET GET GET POST POST PUT DELETE HEAD", meth, " ")
	split("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36|Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0|Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15|curl/7.88.1|Googlebot/2.1 (+http://www.google.com/bot.html)|python-requests/2.31.0|Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", ua, "|")
	t0 = 1796601600	# 2026-12-07T00:00:00Z
	for (i = 0; i < N; i++) {
		t = t0 + int(i * 86400 / N)
		s = t % 60; m = int(t / 60) % 60; h = int(t / 3600) % 24
		r = rand()
		st = r < 0.86 ? 200 : r < 0.90 ? 304 : r < 0.93 ? 301 : r < 0.97 ? 404 : r < 0.99 ? 500 : 503
		p = int(rand() * rand() * 300)
		path = p < 20 ? "/static/app" p ".js" : p < 60 ? "/api/v1/items/" p "?page=" int(rand() * 9) : "/blog/post-" p ".html"
		printf "10.%d.%d.%d - - [07/Dec/2026:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %d %d \"%s\" \"%s\"\n",
			int(rand() * 4), int(rand() * 200), int(rand() * 250) + 1, h, m, s,
			meth[int(rand() * 11) + 1], path, st, st == 304 ? 0 : int(200 + rand() * 40000),
			rand() < 0.6 ? "-" : "https://www.example.com/blog/post-" int(rand() * 300) ".html",
			ua[int(rand() * rand() * 7) + 1]
	}
}
