"""Drives `appsnap serve` with the vendor's own Python SDKs, as an operator's script would.

Usage: ecs_sdk_client.py SCENARIO PORT KEY_ID KEY_SECRET [ARGS...]
Prints one JSON object of what the SDK saw; the Swift test asserts on it. An SDK error is
reported as {"Code", "Status"} rather than raised, so the test can assert on refusals.
"""
import json
import re
import sys
import time

PLUGIN_LINE = ('acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\\"AppSnapshotRoleName\\",'
               '-EnableFsFreeze=true,-TimeoutInSeconds=30,-PreScriptPath=\\"/tmp/prescript.sh\\",'
               '-PostScriptPath=\\"/tmp/postscript.sh\\",-ExcludeDiskId=\\"\\",-Name=\\"LinuxApp1\\",-Description=\\"LinuxApp\\"')
REGION = 'cn-hangzhou'


def client(port, key_id, secret, signing=None):
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.models import Config
    cfg = Config(access_key_id=key_id, access_key_secret=secret, endpoint='127.0.0.1:%s' % port,
                 protocol='http', region_id=REGION)
    if signing:
        cfg.signature_algorithm = signing
    return Client(cfg)


def refusal(call):
    """The error code and HTTP status of a call expected to fail."""
    from Tea.exceptions import TeaException
    try:
        call()
    except TeaException as e:
        return {'Code': e.code, 'Status': e.statusCode, 'Message': e.message}
    return {'Code': None}


def seed_flow(c, m, prescript, postscript):
    out = {}
    out['regions'] = [r.region_id for r in c.describe_regions(m.DescribeRegionsRequest()).body.regions.region]
    instances = c.describe_instances(m.DescribeInstancesRequest(region_id=REGION, page_size=100)).body.instances.instance
    inst = next(i for i in instances if i.instance_name == 'linux-app-1')
    out['instanceId'] = inst.instance_id
    disks = c.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=inst.instance_id)).body.disks.disk
    out['disks'] = [d.disk_id for d in disks]
    for name, content in (('prescript.sh', prescript), ('postscript.sh', postscript)):
        c.send_file(m.SendFileRequest(region_id=REGION, instance_id=[inst.instance_id], name=name, target_dir='/tmp',
                                      content=content, file_mode='0700', file_owner='root', overwrite=True))
    invoke = c.run_command(m.RunCommandRequest(region_id=REGION, type='RunShellScript', command_content=PLUGIN_LINE,
                                               instance_id=[inst.instance_id], timeout=600)).body.invoke_id
    out['invokeId'] = invoke
    deadline = time.time() + 300
    result = None
    while time.time() < deadline:
        results = c.describe_invocation_results(m.DescribeInvocationResultsRequest(
            region_id=REGION, invoke_id=invoke, content_encoding='PlainText')).body.invocation.invocation_results.invocation_result
        if results and results[0].invoke_record_status == 'Finished':
            result = results[0]
            break
        time.sleep(0.2)
    out['exitCode'] = result.exit_code if result else None
    out['invocationStatus'] = result.invocation_status if result else None
    output = result.output if result else ''
    out['output'] = output
    found = re.search(r'ssg-[0-9a-z]+', output)
    group_id = found.group(0) if found else None
    out['groupId'] = group_id
    if group_id:
        groups = c.describe_snapshot_groups(m.DescribeSnapshotGroupsRequest(
            region_id=REGION, snapshot_group_id=[group_id])).body.snapshot_groups.snapshot_group
        out['groupStatus'] = groups[0].status if groups else None
        snapshot_ids = [s.snapshot_id for s in groups[0].snapshots.snapshot] if groups else []
        snaps = c.describe_snapshots(m.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps(snapshot_ids))).body.snapshots.snapshot
        out['snapshots'] = {s.snapshot_id: {'disk': s.source_disk_id,
                                            'tags': {t.tag_key: t.tag_value for t in (s.tags.tag if s.tags else [])}}
                            for s in snaps}
    return out


def rollback(c, m, instance_id, group_id):
    out = {}
    group = c.describe_snapshot_groups(m.DescribeSnapshotGroupsRequest(
        region_id=REGION, snapshot_group_id=[group_id])).body.snapshot_groups.snapshot_group[0]
    pairs = [m.ResetDisksRequestDisk(disk_id=s.source_disk_id, snapshot_id=s.snapshot_id) for s in group.snapshots.snapshot]
    reset = lambda dry: c.reset_disks(m.ResetDisksRequest(region_id=REGION, disk=pairs, dry_run=dry))
    out['whileRunning'] = refusal(lambda: reset(False))
    c.stop_instance(m.StopInstanceRequest(instance_id=instance_id))
    out['dryRun'] = refusal(lambda: reset(True))
    progress = reset(False).body.operation_progress_set.operation_progress
    out['progress'] = [{'status': p.operation_status,
                        'items': {i.name: i.value for i in p.related_item_set.related_item}} for p in progress]
    c.start_instance(m.StartInstanceRequest(instance_id=instance_id))
    inst = c.describe_instances(m.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps([instance_id])))
    out['statusAfter'] = inst.body.instances.instance[0].status
    return out


def errors(port, key_id, secret):
    from alibabacloud_ecs20140526 import models as m
    out = {}
    for signing in (None, 'v2'):
        name = signing or 'default'
        wrong = client(port, key_id, secret + 'x', signing)
        unknown = client(port, 'LTAInosuchkey000000000', secret, signing)
        good = client(port, key_id, secret, signing)
        out[name] = {
            'wrongSecret': refusal(lambda: wrong.describe_regions(m.DescribeRegionsRequest())),
            'unknownKey': refusal(lambda: unknown.describe_regions(m.DescribeRegionsRequest())),
            'missingParameter': refusal(lambda: good.describe_disks(m.DescribeDisksRequest())),
        }
    return out


def old_sdk(port, key_id, secret):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
    c = AcsClient(key_id, secret, REGION)
    req = DescribeInstancesRequest()
    req.set_endpoint('127.0.0.1:%s' % port)
    req.set_protocol_type('http')
    req.set_method('POST')  # RPC v1 with the parameters in a form body
    req.set_PageSize(100)
    body = json.loads(c.do_action_with_exception(req))
    return {'instances': [i['InstanceName'] for i in body['Instances']['Instance']]}


def main():
    scenario, port, key_id, secret = sys.argv[1:5]
    rest = sys.argv[5:]
    from alibabacloud_ecs20140526 import models as m
    if scenario == 'seed':
        signing = None if rest[0] == 'default' else rest[0]
        out = seed_flow(client(port, key_id, secret, signing), m, rest[1], rest[2])
    elif scenario == 'rollback':
        out = rollback(client(port, key_id, secret), m, rest[0], rest[1])
    elif scenario == 'errors':
        out = errors(port, key_id, secret)
    elif scenario == 'old-sdk':
        out = old_sdk(port, key_id, secret)
    else:
        raise SystemExit('unknown scenario ' + scenario)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
