// SPDX-License-Identifier: MIT
// Sends spans and log records to sitrep serve's OTLP receiver through the
// real OpenTelemetry JS SDK and exporters (versions pinned in
// package.json / package-lock.json), and writes what it sent, one line per
// item, for tests/integration/serve_otlp_sdk.sh to compare with the store.
//
//   node send.js BASE_URL TOKEN N_SPANS M_LOGS OUT_DIR
//
// N spans go through the OTLP/HTTP JSON exporter (service "chat-json")
// and N through the protobuf one, gzipped ("chat-proto"); M log records
// through the
// OTLP/HTTP JSON log exporter ("worker").  Exits non-zero when any export
// did not succeed.
'use strict';
const fs = require('fs');
const { SpanStatusCode } = require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter: JsonTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: ProtoTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto');
const { LoggerProvider, BatchLogRecordProcessor } =
    require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { Resource } = require('@opentelemetry/resources');

const [base, token, nSpans, mLogs, out] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const results = [];

// Record the result of every export call (0 = SUCCESS).
function watch(exporter) {
  const orig = exporter.export.bind(exporter);
  exporter.export = (items, cb) => orig(items, (res) => {
    results.push(res.code);
    if (res.code !== 0)
      console.error(`export failed: ${res.error}`);
    cb(res);
  });
  return exporter;
}

// A deterministic pseudo-random sequence (the same run every time).
let seed = 14;
function rnd(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}

const t0 = Math.floor(Date.now() / 1000) - 600;
const lines = [];

async function sendSpans(service, exporter) {
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': service }),
  });
  provider.addSpanProcessor(new BatchSpanProcessor(watch(exporter),
      { maxExportBatchSize: 64, scheduledDelayMillis: 50 }));
  const tracer = provider.getTracer('sitrep-test');
  for (let i = 0; i < Number(nSpans); i++) {
    // whole microseconds, so that %.3f of a millisecond is exact
    const startNs = rnd(1000000) * 1000;
    const durNs = (1 + rnd(8000000)) * 1000;
    const start = [t0 + i, startNs];
    const endTotal = startNs + durNs;
    const end = [t0 + i + Math.floor(endTotal / 1e9), endTotal % 1e9];
    const model = ['gpt-4o', 'llama3:8b', 'mistral'][rnd(3)];
    const tin = 1 + rnd(4000), tout = 1 + rnd(900);
    const route = i % 2 ? '/v1/chat/completions' : null;
    const attrs = {
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': tin,
      'gen_ai.usage.output_tokens': tout,
      'http.response.status_code': i % 7 === 3 ? 503 : 200,
    };
    if (route)
      attrs['http.route'] = route;
    const span = tracer.startSpan(`chat ${model}`,
        { startTime: start, attributes: attrs });
    let ttft = '';
    if (i % 3 === 0) {
      const ttftNs = Math.min(durNs, (1 + rnd(500000)) * 1000);
      const t = startNs + ttftNs;
      span.addEvent('gen_ai.first_token', {},
          [t0 + i + Math.floor(t / 1e9), t % 1e9]);
      ttft = (ttftNs / 1e6).toFixed(3);
    }
    const error = i % 5 === 4;
    if (error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: `overloaded ${i}` });
    span.end(end);
    lines.push([span.spanContext().spanId, service,
      route || `chat ${model}`, (t0 + i) * 1000 + Math.floor(startNs / 1e6),
      (durNs / 1e6).toFixed(3), model, tin, tout, ttft,
      error || i % 7 === 3 ? 1 : 0].join('|'));
  }
  await provider.shutdown(); // flushes every batch
}

async function sendLogs() {
  const exporter = watch(new OTLPLogExporter({ url: `${base}/v1/logs`,
    headers }));
  const provider = new LoggerProvider({
    resource: new Resource({ 'service.name': 'worker' }),
  });
  provider.addLogRecordProcessor(new BatchLogRecordProcessor(exporter,
      { maxExportBatchSize: 64, scheduledDelayMillis: 50 }));
  const logger = provider.getLogger('sitrep-test');
  for (let i = 0; i < Number(mLogs); i++) {
    const sev = [9, 13, 17][i % 3];
    const ms = (t0 + i) * 1000 + rnd(1000);
    logger.emit({
      // a Date: a bare number before the process started is read by the
      // SDK as relative to performance.timeOrigin
      timestamp: new Date(ms),
      severityNumber: sev,
      severityText: { 9: 'INFO', 13: 'WARN', 17: 'ERROR' }[sev],
      body: `log record ${i}`,
      attributes: { 'gen_ai.usage.output_tokens': i + 1 },
    });
    lines.push(['worker', `log record ${i}`, ms, i + 1,
      sev >= 17 ? 1 : 0].join('|'));
  }
  await provider.shutdown();
}

(async () => {
  await sendSpans('chat-json', new JsonTraceExporter({
    url: `${base}/v1/traces`, headers }));
  await sendSpans('chat-proto', new ProtoTraceExporter({
    url: `${base}/v1/traces`, headers, compression: 'gzip' }));
  await sendLogs();
  fs.writeFileSync(`${out}/sent.txt`, lines.join('\n') + '\n');
  const bad = results.filter((c) => c !== 0).length;
  console.log(`exports: ${results.length}, failed: ${bad}`);
  process.exit(bad === 0 && results.length > 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
