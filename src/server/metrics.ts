import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from '../queue/queue.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Settings } from '../settings/types.ts';
import { byCodeUnit } from '../state/order.ts';
import { answers, send } from './answer.ts';
import { addressList, inList } from './client-address.ts';
import { isWebhookPath } from './webhook-path.ts';

/** Upper bounds of the run duration histogram's buckets (seconds). */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** Who may read /metrics besides the addresses in any entry's allow_ips. */
const LOOPBACK = ['127.0.0.0/8', '::1'];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The daemon's counters for `GET /metrics` (SPEC: off unless `metrics: true`). Counters live
 * in memory and start at zero with the process (Prometheus handles the reset).
 */
export interface Metrics {
  /** Counts one answered request when it was to a webhook route (not /healthz, not /metrics). */
  countDelivery(req: IncomingMessage, settings: Settings, entry: string | undefined, code: number): void;
  /** Counts a finished run by entry and result, and its duration (the Queue's 'finish' event). */
  countRun(record: RunRecord): void;
  /** Counts one notification or commit status call by entry, kind (its format, or commit_status) and outcome. */
  countNotify(outcome: { entry: string; kind: string; ok: boolean }): void;
  /**
   * Answers `GET /metrics` when the path is /metrics and metrics are on; returns false
   * (nothing sent) otherwise, so the caller goes on with its routes. 403 for a client that is
   * neither loopback nor in any entry's allow_ips, 405 for another method.
   */
  serve(req: IncomingMessage, res: ServerResponse, client: string, settings: Settings, queue: Queue): boolean;
  /** The exposition text (Prometheus text format 0.0.4). */
  render(queue: Pick<Queue, 'snapshot'>): string;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Creates the metrics of one daemon process; `startMs` is the process start (ms since the epoch). */
export function createMetrics(version: string, startMs: number = Date.now() - process.uptime() * 1000): Metrics {
  const deliveries = new Map<string, number>(); // JSON [entry, code] → count
  const runs = new Map<string, number>(); // JSON [entry, result] → count
  const notices = new Map<string, number>(); // JSON [entry, kind, outcome] → count
  const durations = new Map<string, Histogram>(); // entry → histogram
  const bump = (m: Map<string, number>, key: unknown[]): void => {
    const k = JSON.stringify(key);
    m.set(k, (m.get(k) ?? 0) + 1);
  };

  const metrics: Metrics = {
    countDelivery(req, settings, entry, code) {
      if (isWebhookPath(req.url, settings.webhookUrlPath)) bump(deliveries, [entry ?? '', String(code)]);
    },

    countRun(record) {
      bump(runs, [record.entry, record.result]);
      const ms = record.endedAt ? Date.parse(record.endedAt) - Date.parse(record.startedAt) : NaN;
      if (!Number.isFinite(ms) || ms < 0) return;
      const seconds = ms / 1000;
      const h = durations.get(record.entry) ?? { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      DURATION_BUCKETS.forEach((le, i) => { if (seconds <= le) h.counts[i]!++; });
      h.sum += seconds;
      h.count++;
      durations.set(record.entry, h);
    },

    countNotify({ entry, kind, ok }) {
      bump(notices, [entry, kind, ok ? 'sent' : 'failed']);
    },

    serve(req, res, client, settings, queue) {
      if ((req.url ?? '/').split('?')[0] !== '/metrics' || !settings.metrics) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, answers.methodNotAllowed('GET'), true);
        return true;
      }
      const allowed = addressList([...LOOPBACK, ...settings.entries.flatMap((e) => e.allowIps)]);
      if (!inList(allowed, client)) {
        send(res, answers.forbidden(`client address ${client} may not read metrics`), true);
        return true;
      }
      const text = metrics.render(queue);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    },

    render(queue) {
      const out: string[] = [];
      const family = (name: string, type: string, help: string): void => { out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`); };

      family('whauto_build_info', 'gauge', 'whauto version and the embedded Node.js version.');
      out.push(`whauto_build_info{version="${label(version)}",node="${label(process.version)}"} 1`);

      family('process_start_time_seconds', 'gauge', 'Start time of the process since the epoch in seconds.');
      out.push(`process_start_time_seconds ${Math.floor(startMs / 1000)}`);

      family('whauto_deliveries_total', 'counter', 'Requests to the webhook routes by entry ("" when none or several) and HTTP answer code.');
      for (const [k, n] of [...deliveries].sort()) {
        const [entry, code] = JSON.parse(k) as [string, string];
        out.push(`whauto_deliveries_total{entry="${label(entry)}",code="${code}"} ${n}`);
      }

      family('whauto_runs_total', 'counter', 'Finished runs by entry and result (succeeded, failed, timed out, interrupted).');
      for (const [k, n] of [...runs].sort()) {
        const [entry, result] = JSON.parse(k) as [string, string];
        out.push(`whauto_runs_total{entry="${label(entry)}",result="${label(result)}"} ${n}`);
      }

      family('whauto_notifications_total', 'counter', 'Notifications and commit status calls by entry, kind (json, slack, discord, matrix, ntfy, commit_status) and outcome (sent, failed).');
      for (const [k, n] of [...notices].sort()) {
        const [entry, kind, outcome] = JSON.parse(k) as [string, string, string];
        out.push(`whauto_notifications_total{entry="${label(entry)}",kind="${kind}",outcome="${outcome}"} ${n}`);
      }

      family('whauto_run_duration_seconds', 'histogram', 'Duration of finished runs by entry.');
      for (const [entry, h] of [...durations].sort(([a], [b]) => byCodeUnit(a, b))) {
        const e = label(entry);
        DURATION_BUCKETS.forEach((le, i) => out.push(`whauto_run_duration_seconds_bucket{entry="${e}",le="${le}"} ${h.counts[i]}`));
        out.push(`whauto_run_duration_seconds_bucket{entry="${e}",le="+Inf"} ${h.count}`);
        out.push(`whauto_run_duration_seconds_sum{entry="${e}"} ${h.sum}`);
        out.push(`whauto_run_duration_seconds_count{entry="${e}"} ${h.count}`);
      }

      const snap = queue.snapshot();
      family('whauto_queue_runs', 'gauge', 'Runs in the queue now, waiting or running.');
      out.push(`whauto_queue_runs{state="waiting"} ${snap.waiting.length}`, `whauto_queue_runs{state="running"} ${snap.running.length}`);
      return out.join('\n') + '\n';
    },
  };
  return metrics;
}
