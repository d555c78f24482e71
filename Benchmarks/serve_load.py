#!/usr/bin/env python3
"""`appsnap serve` under a bounded load of signed DescribeDisks requests, from this second
process on loopback, side by side with the same action called in-process (the floor).

Rows: signature checking on (ACS3-HMAC-SHA256, the SDKs' default), checking off
(`serve --no-verify`, the same signed requests), and `ECSActions.call` in-process
(`appsnap-bench ecs-floor`). Requests are signed before the clock starts, so the figures
are the server's, not this script's HMAC. Each phase first sends --warmup requests it
does not measure, then --count requests over
--concurrency keep-alive connections and stops after --max-seconds whatever happens.

usage: serve_load.py --bin .build/release/appsnap --bench .build/release/appsnap-bench --work DIR
"""
import argparse, hashlib, hmac, http.client, json, os, shutil, signal, subprocess, sys, threading, time, uuid
from datetime import datetime, timezone
from urllib.parse import quote


def enc(s):
    return quote(s, safe='-_.~')


def sign_acs3(key_id, secret, host, action, params):
    """One ACS3-HMAC-SHA256 request, as the vendor's SDK builds it."""
    query = '&'.join('%s=%s' % (enc(k), enc(v)) for k, v in sorted(params.items()))
    headers = {'host': host, 'x-acs-action': action, 'x-acs-version': '2014-05-26',
               'x-acs-date': datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
               'x-acs-signature-nonce': uuid.uuid4().hex,
               'x-acs-content-sha256': hashlib.sha256(b'').hexdigest()}
    names = sorted(headers)
    canonical = '\n'.join(['POST', '/', query, ''.join('%s:%s\n' % (n, headers[n]) for n in names), ';'.join(names),
                           headers['x-acs-content-sha256']])
    to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    sig = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers['authorization'] = 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (key_id, ';'.join(names), sig)
    return '/?' + query, headers


def start_serve(bin_, state, extra):
    p = subprocess.Popen([bin_, 'serve', '--listen', '127.0.0.1:0', '--state', state] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    try:
        port = int(line.split('127.0.0.1:')[1].split()[0])
    except (IndexError, ValueError):
        p.kill()
        sys.exit('serve did not start: %r' % line)
    return p, port


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()


def load(port, requests, concurrency, max_seconds):
    """Sends every prepared request once; returns (latencies, errors, seconds)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    chunks = [requests[i::concurrency] for i in range(concurrency)]

    def worker(chunk):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        mine, bad = [], []
        for path, headers in chunk:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            try:
                conn.request('POST', path, headers=headers)
                r = conn.getresponse()
                body = r.read()
            except (OSError, http.client.HTTPException) as e:
                bad.append(repr(e))
                break  # the server is gone: this connection is done
            mine.append(time.perf_counter() - t0)
            if r.status != 200:
                bad.append(body[:200])
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))]


def row(what, n, rps, p50, p99):
    print('| %s | %d | %s | %.2f ms | %.2f ms |' % (what, n, '{:,.0f}'.format(rps), p50, p99))


def main():
    a = argparse.ArgumentParser()
    a.add_argument('--bin', required=True)
    a.add_argument('--bench', required=True)
    a.add_argument('--work', required=True)
    a.add_argument('--count', type=int, default=int(os.environ.get('SERVE_REQUESTS', 20000)))
    a.add_argument('--concurrency', type=int, default=4)
    a.add_argument('--warmup', type=int, default=1000)
    a.add_argument('--max-seconds', type=float, default=60)
    o = a.parse_args()
    state = os.path.join(o.work, 'serve-state')
    shutil.rmtree(state, ignore_errors=True)
    subprocess.run([o.bin, 'cloud', 'init', '--demo', '--state', state], check=True, capture_output=True)
    key = json.loads(subprocess.run([o.bin, 'cloud', 'keys', 'create', '--action', 'ecs:DescribeDisks', '--state', state],
                                    check=True, capture_output=True, text=True).stdout)
    print('| `appsnap serve`, DescribeDisks (%d requests, %d connections) | requests | req/s | p50 | p99 |' % (o.count, o.concurrency))
    print('|---|---|---|---|---|')
    for label, extra in (('signature checked (ACS3-HMAC-SHA256)', []), ('signature not checked (--no-verify)', ['--no-verify'])):
        p, port = start_serve(o.bin, state, extra)
        try:
            host = '127.0.0.1:%d' % port
            reqs = [sign_acs3(key['AccessKeyId'], key['AccessKeySecret'], host, 'DescribeDisks', {'RegionId': 'cn-hangzhou'})
                    for _ in range(o.warmup + o.count)]
            # Not measured: the new server's first requests (connections, page cache, allocator).
            _, errors, _ = load(port, reqs[:o.warmup], o.concurrency, o.max_seconds)
            lat, more, secs = load(port, reqs[o.warmup:], o.concurrency, o.max_seconds)
            errors += more
        finally:
            stop(p)
        if errors:
            sys.exit('%s: %d requests failed, e.g. %r' % (label, len(errors), errors[0]))
        row(label, len(lat), len(lat) / secs, pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000)
    floor = json.loads(subprocess.run([o.bench, 'ecs-floor', '--state', state, '--count', str(o.count),
                                       '--concurrency', str(o.concurrency)], check=True, capture_output=True, text=True).stdout)
    row('floor: `ECSActions.call` in-process (as `appsnap ecs`, no process start)', floor['requests'], floor['rps'],
        floor['p50_ms'], floor['p99_ms'])


if __name__ == '__main__':
    main()
