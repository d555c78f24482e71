#!/usr/bin/env python3
"""Foundation benchmark: the embedded cloud's TotalCost for one plugin run, side by side
with a bash script that makes the same copies with `cp --reflink=auto`.

Setup: linux-app-1 of a fresh demo cloud gets 4 new ESSD disks of 1 GiB, each with
400 MiB of data written into its image; its own disks are excluded, so the group holds
exactly those 4. Each run is one RunCommand of the seed's Linux line (no scripts).

usage: total_cost.py --bin .build/release/appsnap --work DIR [--runs N]
Prints a Markdown table row per method, medians over the runs.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, time

from appsnap_cli import ecs, finished

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    state = os.path.join(a.work, "state")
    shutil.rmtree(state, ignore_errors=True)
    subprocess.run([a.bin, "cloud", "init", "--demo", "--state", state], check=True, capture_output=True)
    inst = [i for i in ecs(a.bin, state, "DescribeInstances", RegionId="cn-hangzhou", PageSize=100)["Instances"]["Instance"]
            if i["InstanceName"] == "linux-app-1"][0]["InstanceId"]
    own = [d["DiskId"] for d in ecs(a.bin, state, "DescribeDisks", RegionId="cn-hangzhou", InstanceId=inst)["Disks"]["Disk"]]
    images = []
    payload = os.urandom(1 << 20)
    for n in range(4):
        disk = ecs(a.bin, state, "CreateDisk", RegionId="cn-hangzhou", ZoneId="cn-hangzhou-h", Size=1, DiskName=f"bench-{n}")["DiskId"]
        ecs(a.bin, state, "AttachDisk", InstanceId=inst, DiskId=disk)
        img = os.path.join(state, "pool", "disks", disk + ".img")
        with open(img, "r+b") as f:
            for mib in range(400):
                f.write(payload)
            f.flush(); os.fsync(f.fileno())
        images.append(img)
    exclude = ",".join(own)
    line = ('acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\\"AppSnapshotRoleName\\",'
            f'-EnableFsFreeze=true,-TimeoutInSeconds=120,-ExcludeDiskId=\\"{exclude}\\",-Name=\\"bench\\",-Description=\\"bench\\"')
    appsnap, baseline, method = [], [], "?"
    copies = os.path.join(a.work, "copies")
    for r in range(a.runs):
        inv = ecs(a.bin, state, "RunCommand", RegionId="cn-hangzhou", Type="RunShellScript", CommandContent=line,
                  **{"InstanceId.1": inst, "Timeout": 3600})["InvokeId"]
        res = finished(a.bin, state, inv, poll=0.05)
        m = re.search(r"TotalCost=([0-9.]+)s", res["Output"])
        if res["ExitCode"] != 0 or not m:
            sys.exit(f"plugin run failed: {res['Output']}")
        appsnap.append(float(m.group(1)))
        gid = re.search(r"ssg-[0-9a-z]+", res["Output"]).group(0)
        ecs(a.bin, state, "DeleteSnapshotGroup", RegionId="cn-hangzhou", SnapshotGroupId=gid)
        os.makedirs(copies, exist_ok=True)
        script = "; ".join(f'cp --reflink=auto "{img}" "{copies}/{n}.img"' for n, img in enumerate(images))
        t0 = time.perf_counter()
        subprocess.run(["bash", "-c", script + "; sync"], check=True)
        baseline.append(time.perf_counter() - t0)
        shutil.rmtree(copies)
    status = subprocess.run([a.bin, "cloud", "status", "--state", state], capture_output=True, text=True).stdout
    method = "reflink" if re.search(r"reflink[^\n]*(yes|supported|FICLONE)", status, re.I) else "sparse copy"
    print(f"| appsnap plugin run, TotalCost (4×1 GiB, 400 MiB each; pool: {method}) | {statistics.median(appsnap):.3f} s |")
    print(f"| bash `cp --reflink=auto` of the same 4 images | {statistics.median(baseline):.3f} s |")
    shutil.rmtree(state, ignore_errors=True)

if __name__ == "__main__":
    main()
