import boto3, io, zipfile, time, json, sys
E="http://127.0.0.1:45992"
kw=dict(endpoint_url=E, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
lam=boto3.client("lambda", **kw); sfn=boto3.client("stepfunctions", **kw); cw=boto3.client("cloudwatch", **kw)
def zipped(v):
    buf=io.BytesIO()
    with zipfile.ZipFile(buf,"w") as z: z.writestr("app.py", f"def handler(e,c): return '{v}'")
    return buf.getvalue()
lam.create_function(FunctionName="f", Role="arn:aws:iam::000000000000:role/r", Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zipped("v1")})
time.sleep(1); v1=lam.publish_version(FunctionName="f")["Version"]
lam.update_function_code(FunctionName="f", ZipFile=zipped("v2")); time.sleep(1)
v2=lam.publish_version(FunctionName="f")["Version"]
a=lam.create_alias(FunctionName="f", Name="live", FunctionVersion=v1)
cw.put_metric_alarm(AlarmName="errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
print("versions", v1, v2)
defn=open("/tmp/machine.json").read().replace('"2": 0.5', f'"{v2}": 0.5')
sm=sfn.create_state_machine(name="gitmoxi-f-live", definition=defn, roleArn="arn:aws:iam::000000000000:role/sfn")["stateMachineArn"]
def run(fire_at=None):
    al=lam.get_alias(FunctionName="f", Name="live")
    inp={"function":"f","alias":"live","from":al["FunctionVersion"],"to":v2,"revision":al["RevisionId"]}
    ex=sfn.start_execution(stateMachineArn=sm, input=json.dumps(inp))["executionArn"]
    t0=time.time(); seen=[]
    while True:
        d=sfn.describe_execution(executionArn=ex)
        al=lam.get_alias(FunctionName="f", Name="live")
        w=(al.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        seen.append((round(time.time()-t0,1), al["FunctionVersion"], w))
        if fire_at and time.time()-t0>fire_at:
            cw.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test"); fire_at=None
        if d["status"]!="RUNNING":
            print("status", d["status"], d.get("error"), d.get("cause"))
            break
        time.sleep(0.5)
    compact=[]
    for s in seen:
        if not compact or compact[-1][1:]!=s[1:]: compact.append(s)
    print(compact)
run()
# reset for rollback test: alias back to v1
al=lam.get_alias(FunctionName="f", Name="live")
lam.update_alias(FunctionName="f", Name="live", FunctionVersion=v1, RoutingConfig={"AdditionalVersionWeights":{}})
run(fire_at=2)
