"""What the benchmark scripts share: one ECS call through `appsnap ecs`, and waiting for
an invocation to finish."""
import json, subprocess, sys, time

def ecs(bin_, state, action, **params):
    """`appsnap ecs ACTION --K=v …` against the state folder; its JSON answer, or exit."""
    out = subprocess.run([bin_, "ecs", action, "--state", state] + [f"--{k}={v}" for k, v in params.items()],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{action} failed: {out.stderr}")
    return json.loads(out.stdout)

def finished(bin_, state, invoke, poll=0.02):
    """The invocation's result on its one instance, once it is Finished."""
    while True:
        r = ecs(bin_, state, "DescribeInvocationResults", RegionId="cn-hangzhou", InvokeId=invoke, ContentEncoding="PlainText")
        res = r["Invocation"]["InvocationResults"]["InvocationResult"][0]
        if res["InvokeRecordStatus"] == "Finished":
            return res
        time.sleep(poll)
