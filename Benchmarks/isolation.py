#!/usr/bin/env python3
"""The cost of isolating emulated instances (user, mount and PID namespaces, the agent).

Side by side, in one run, on a fresh demo cloud:
- RunCommand start latency: from just before `appsnap ecs RunCommand` to the moment the
  command's first line ran (it prints its own clock), on linux-app-1 (sandboxed) and, as
  root, on the enrolled host instance (no namespaces: /bin/sh on this machine).
- The seed's Linux run (no scripts) on linux-app-1: through RunCommand (sandbox, agent,
  plugin outside) against `appsnap plugin-manager` started directly for the same instance
  (no sandbox, no agent): wall time and the plugin's own TotalCost.

usage: isolation.py --bin .build/release/appsnap --work DIR [--runs N]
Prints Markdown rows: median, p95 (start latency) or median (runs).
"""
import argparse, os, re, shutil, statistics, subprocess, sys, time

from appsnap_cli import ecs, finished

def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]

def start_latency(bin_, state, instance, runs):
    samples = []
    for _ in range(runs):
        t0 = time.time()
        inv = ecs(bin_, state, "RunCommand", RegionId="cn-hangzhou", Type="RunShellScript",
                  CommandContent="date +%s.%N", **{"InstanceId.1": instance})["InvokeId"]
        res = finished(bin_, state, inv)
        started = float(res["Output"].strip().splitlines()[-1])
        samples.append((started - t0) * 1000)
    return samples

SEED = ('acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\\"AppSnapshotRoleName\\",'
        '-EnableFsFreeze=true,-TimeoutInSeconds=30,-ExcludeDiskId=\\"\\",-Name=\\"bench\\",-Description=\\"bench\\"')

def total_cost(output):
    m = re.search(r"TotalCost=([0-9.]+)s", output)
    return float(m.group(1)) if m else float("nan")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=20)
    a = p.parse_args()
    state = os.path.join(a.work, "isolation-state")
    shutil.rmtree(state, ignore_errors=True)
    try:
        subprocess.run([a.bin, "cloud", "init", "--demo", "--state", state], check=True, capture_output=True)
        inst = {i["InstanceName"]: i["InstanceId"] for i in
                ecs(a.bin, state, "DescribeInstances", RegionId="cn-hangzhou", PageSize=100)["Instances"]["Instance"]}
        print("| RunCommand start latency | p50 | p95 |")
        print("|---|---|---|")
        sandboxed = start_latency(a.bin, state, inst["linux-app-1"], a.runs)
        print(f"| emulated instance (user, mount and PID namespaces) | {statistics.median(sandboxed):.1f} ms | {p95(sandboxed):.1f} ms |")
        if os.geteuid() == 0:
            subprocess.run([a.bin, "cloud", "host", "enroll", "--os-name", "Ubuntu 22.04 64 bit", "--state", state],
                           check=True, capture_output=True)
            host = [i["InstanceId"] for i in ecs(a.bin, state, "DescribeInstances", RegionId="cn-hangzhou",
                                                  PageSize=100)["Instances"]["Instance"] if i["InstanceName"] not in inst][0]
            plain = start_latency(a.bin, state, host, a.runs)
            print(f"| host instance (no namespaces) | {statistics.median(plain):.1f} ms | {p95(plain):.1f} ms |")
        else:
            print("(host instance row skipped: enrolling needs root)", file=sys.stderr)

        runs = max(3, a.runs // 4)
        via_run, via_run_cost, direct, direct_cost = [], [], [], []
        env = dict(os.environ, APPSNAP_STATE=state, APPSNAP_INSTANCE_ID=inst["linux-app-1"])
        args = [a.bin, "plugin-manager", "--exec", "--plugin", "app-snapshot-plugin",
                "--params=" + SEED.split("--params=", 1)[1].replace('\\"', '"')]
        for _ in range(runs):
            t0 = time.perf_counter()
            inv = ecs(a.bin, state, "RunCommand", RegionId="cn-hangzhou", Type="RunShellScript", CommandContent=SEED,
                      **{"InstanceId.1": inst["linux-app-1"]})["InvokeId"]
            res = finished(a.bin, state, inv)
            via_run.append(time.perf_counter() - t0)
            via_run_cost.append(total_cost(res["Output"]))
            t0 = time.perf_counter()
            out = subprocess.run(args, env=env, capture_output=True, text=True)
            direct.append(time.perf_counter() - t0)
            direct_cost.append(total_cost(out.stdout))
            if out.returncode != 0 or res["ExitCode"] != 0:
                sys.exit(f"seed run failed: {res['Output']}\n{out.stdout}{out.stderr}")
        print()
        print("| the seed's run on linux-app-1 (no scripts) | wall, median | TotalCost, median |")
        print("|---|---|---|")
        print(f"| RunCommand (sandbox, agent, plugin beside the instance) | {statistics.median(via_run):.3f} s | {statistics.median(via_run_cost):.4f} s |")
        print(f"| `appsnap plugin-manager` started directly (no namespaces) | {statistics.median(direct):.3f} s | {statistics.median(direct_cost):.4f} s |")
    finally:
        subprocess.run([a.bin, "cloud", "reset", "--yes", "--state", state], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)

if __name__ == "__main__":
    main()
