#!/usr/bin/env python3
"""Writes the scenario folders beside this script.

Each scenario is an incident on the `checkout` ECS service of cluster `prod` in account
111122223333 (us-east-1), in AWS's own formats: the EventBridge alarm event, PutLogEvents
batches, PutMetricData batches and the ECS (and EC2) state to create. The alarm enters ALARM
at 2026-11-30T14:05:00Z. Logs and metrics run from 13:05 to 14:20, one datapoint a minute.

The output is deterministic (fixed random seeds), so rerunning the script changes no file
unless the script changed. Run: python3 scenarios/generate.py
"""

import base64
import hashlib
import hmac
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ACCOUNT = "111122223333"
REGION = "us-east-1"
CLUSTER = "prod"
SERVICE = "checkout"
LOG_GROUP = "/ecs/checkout"
LOAD_BALANCER = "app/checkout-alb/50dc6c495c0c9188"
REFERENCE_TIME = datetime(2026, 11, 30, 14, 1, tzinfo=timezone.utc)
ALARM_TIME = datetime(2026, 11, 30, 14, 5, tzinfo=timezone.utc)
START = datetime(2026, 11, 30, 13, 5, tzinfo=timezone.utc)
END = datetime(2026, 11, 30, 14, 20, tzinfo=timezone.utc)
MINUTES = int((END - START).total_seconds() // 60) + 1
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/checkout"

ROOT = Path(__file__).resolve().parent


def ms(time):
    return int(time.timestamp() * 1000)


def rfc3339(time):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ")


def cloudwatch_time(time):
    """CloudWatch alarm timestamps: milliseconds and an offset without a colon."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{time.microsecond // 1000:03d}+0000"


def minute(index):
    return START + timedelta(minutes=index)


def stable_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def fake_jwt():
    """Builds a well-formed HS256 JSON Web Token signed with a key that protects nothing."""

    def encode(part):
        return base64.urlsafe_b64encode(part).rstrip(b"=").decode()

    header = encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = encode(json.dumps({"sub": "cus_4821", "aud": "checkout-web", "exp": 1796054400}, separators=(",", ":")).encode())
    signature = hmac.new(b"scenario-key-not-a-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{encode(signature)}"


# ---------------------------------------------------------------------------------------
# Alarm events


def alarm_event(event_id, alarm_name, reason, reason_data, configuration, state_time):
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": rfc3339(ALARM_TIME),
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm_name}"],
        "detail": {
            "alarmName": alarm_name,
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(reason_data, separators=(",", ":")),
                "timestamp": cloudwatch_time(state_time),
            },
            "previousState": {
                "value": "OK",
                "reason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
                "timestamp": cloudwatch_time(datetime(2026, 11, 29, 9, 12, 44, 101000, tzinfo=timezone.utc)),
            },
            "configuration": configuration,
        },
    }


def metric_stat(namespace, name, dimensions, stat, period=60):
    return {"metric": {"namespace": namespace, "name": name, "dimensions": dimensions}, "period": period, "stat": stat}


def single_metric_alarm(event_id, alarm_name, description, namespace, name, dimensions, stat, value, threshold, comparison):
    evaluated = ALARM_TIME - timedelta(minutes=1)
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{value} ({evaluated.strftime('%d/%m/%y %H:%M:%S')})] "
        f"was {comparison} the threshold ({threshold}) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    reason_data = {
        "version": "1.0",
        "queryDate": cloudwatch_time(ALARM_TIME + timedelta(milliseconds=412)),
        "startDate": cloudwatch_time(evaluated),
        "statistic": stat,
        "period": 60,
        "recentDatapoints": [value],
        "threshold": threshold,
        "evaluatedDatapoints": [{"timestamp": cloudwatch_time(evaluated), "sampleCount": 60.0, "value": value}],
    }
    configuration = {
        "description": description,
        "metrics": [{"id": "m1", "metricStat": metric_stat(namespace, name, dimensions, stat), "returnData": True}],
    }
    return alarm_event(event_id, alarm_name, reason, reason_data, configuration, ALARM_TIME + timedelta(milliseconds=412))


# ---------------------------------------------------------------------------------------
# Logs


class LogWriter:
    """Collects events per log stream and writes them in the PutLogEvents shape."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.streams = {}

    def add(self, stream, time, message):
        self.streams.setdefault(stream, []).append({"timestamp": ms(time), "message": message})

    def batches(self):
        result = []
        for stream in sorted(self.streams):
            events = sorted(self.streams[stream], key=lambda event: event["timestamp"])
            result.append({"logGroupName": LOG_GROUP, "logStreamName": stream, "events": events})
        return result


def task_stream(task_id):
    return f"ecs/checkout/{task_id}"


OLD_TASKS = ["3f9c2a1b8e7d4c60a1b2c3d4e5f60718", "8a7b6c5d4e3f21009f8e7d6c5b4a3928"]
NEW_TASKS = ["c1d2e3f4a5b6478899aabbccddeeff00", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"]


def baseline_traffic(logs, until=END, tasks=OLD_TASKS, requests_per_minute=lambda index: 3):
    """Ordinary traffic: cart reads, checkouts, payment authorisations and a pool report."""
    rng = logs.rng
    for index in range(MINUTES):
        start = minute(index)
        if start > until:
            break
        for request in range(requests_per_minute(index)):
            time = start + timedelta(seconds=rng.uniform(0, 59))
            task = tasks[rng.randrange(len(tasks))]
            kind = request % 3
            if kind == 0:
                logs.add(task_stream(task), time, f"INFO [http] GET /api/cart/cart-{rng.randint(10000, 99999)} 200 {rng.randint(8, 40)}ms request_id={stable_uuid(rng)}")
            elif kind == 1:
                order = rng.randint(1000, 9999)
                logs.add(task_stream(task), time, f"INFO [http] POST /api/checkout 200 {rng.randint(60, 180)}ms request_id={stable_uuid(rng)} order_id=ord-{order}")
                logs.add(task_stream(task), time + timedelta(milliseconds=40), f"INFO [payments] payment authorized order_id=ord-{order} amount={rng.randint(20, 900)}.{rng.randint(0, 99):02d} currency=BRL")
            else:
                logs.add(task_stream(task), time, f"INFO [http] GET /api/products/sku-{rng.randint(100, 999)} 200 {rng.randint(5, 25)}ms request_id={stable_uuid(rng)}")
        task = tasks[index % len(tasks)]
        logs.add(task_stream(task), start + timedelta(seconds=30), f"DEBUG [pool] db pool active={rng.randint(2, 9)} idle={rng.randint(1, 8)} waiting=0")


# ---------------------------------------------------------------------------------------
# Metrics


def ecs_dimensions():
    return [{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": SERVICE}]


def alb_dimensions():
    return [{"Name": "LoadBalancer", "Value": LOAD_BALANCER}]


def series(name, dimensions, unit, value_at):
    return [
        {"MetricName": name, "Dimensions": dimensions, "Timestamp": rfc3339(minute(index)), "Value": round(value_at(index, minute(index)), 3), "Unit": unit}
        for index in range(MINUTES)
    ]


def metric_batches(ecs, alb):
    batches = []
    if ecs:
        batches.append({"Namespace": "AWS/ECS", "MetricData": ecs})
    if alb:
        batches.append({"Namespace": "AWS/ApplicationELB", "MetricData": alb})
    return batches


def noisy(rng, centre, spread):
    return lambda index, time: centre + rng.uniform(-spread, spread)


# ---------------------------------------------------------------------------------------
# ECS


def task_definition(image_tag, memory=512, launch_type="FARGATE", environment=None):
    container = {
        "name": "checkout",
        "image": f"{IMAGE}:{image_tag}",
        "cpu": 256,
        "memory": memory,
        "essential": True,
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
        "environment": environment or [{"name": "PAYMENTS_API_URL", "value": "https://payments-api.internal:443"}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": LOG_GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"},
        },
    }
    definition = {
        "family": "checkout",
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/checkout-task",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "containerDefinitions": [container],
        "requiresCompatibilities": [launch_type],
    }
    if launch_type == "FARGATE":
        definition.update({"networkMode": "awsvpc", "cpu": "512", "memory": str(max(1024, memory * 2))})
    else:
        definition["networkMode"] = "bridge"
    return definition


def ecs_state(definitions, desired, launch_type="FARGATE", deploy=None, stopped=None):
    return {
        "cluster": CLUSTER,
        "task_definitions": definitions,
        "service": {"serviceName": SERVICE, "taskDefinition": "checkout:1", "desiredCount": desired, "launchType": launch_type},
        "deploy_task_definition": deploy,
        "stopped_tasks": stopped or [],
    }


def service_block(alarm_names):
    related = [
        {"namespace": "AWS/ApplicationELB", "name": "RequestCount", "dimensions": {"LoadBalancer": LOAD_BALANCER}, "stat": "Sum"},
        {"namespace": "AWS/ApplicationELB", "name": "TargetResponseTime", "dimensions": {"LoadBalancer": LOAD_BALANCER}, "stat": "Average"},
    ]
    return {
        "name": SERVICE,
        "cluster": CLUSTER,
        "service": SERVICE,
        "log_groups": [LOG_GROUP],
        "alarm_names": alarm_names,
        "related_metrics": related,
    }


# ---------------------------------------------------------------------------------------
# The scenarios


def bad_deployment():
    logs = LogWriter(1)
    rng = logs.rng
    cutover = REFERENCE_TIME + timedelta(seconds=20)
    baseline_traffic(logs, until=REFERENCE_TIME)
    # After the cutover the new tasks serve the same traffic.
    for index in range(MINUTES):
        start = minute(index)
        if start <= REFERENCE_TIME:
            continue
        for _ in range(2):
            task = NEW_TASKS[rng.randrange(2)]
            logs.add(task_stream(task), start + timedelta(seconds=rng.uniform(0, 59)), f"INFO [http] GET /api/cart/cart-{rng.randint(10000, 99999)} 200 {rng.randint(8, 40)}ms request_id={stable_uuid(rng)}")

    for task in NEW_TASKS:
        logs.add(task_stream(task), REFERENCE_TIME + timedelta(seconds=rng.uniform(2, 15)), "INFO [main] starting checkout version=1.5.0 commit=9f2c1ab")

    time = cutover
    token = fake_jwt()
    count = 0
    while time < END:
        task = NEW_TASKS[count % 2]
        order = rng.randint(1000, 9999)
        logs.add(task_stream(task), time, f"ERROR [http] POST /api/checkout 500 {rng.randint(5, 30)}ms request_id={stable_uuid(rng)} order_id=ord-{order}")
        logs.add(
            task_stream(task),
            time + timedelta(milliseconds=3),
            f'ERROR [pricing] discount lookup failed order_id=ord-{order}: java.lang.NullPointerException: Cannot invoke "DiscountRule.apply()" because "rule" is null',
        )
        if count % 6 == 0:
            # A customer who keeps retrying: the checkout logs their details on every retry.
            logs.add(
                task_stream(task),
                time + timedelta(milliseconds=5),
                "WARN [checkout] retrying checkout for customer email=ana.souza@example.com phone=+55 11 99999-9999 cpf=123.456.789-09 card=4111 1111 1111 1111",
            )
            logs.add(
                task_stream(task),
                time + timedelta(milliseconds=7),
                f"ERROR [auth] request to /api/checkout/confirm rejected, header Authorization: Bearer {token} does not match the session",
            )
        count += 1
        time += timedelta(seconds=rng.uniform(12, 20))

    def errors_5xx(index, time):
        return rng.choice([0, 0, 0, 0, 1]) if time <= REFERENCE_TIME else rng.uniform(120, 190)

    metrics = metric_batches(
        series("CPUUtilization", ecs_dimensions(), "Percent", noisy(rng, 34, 3))
        + series("MemoryUtilization", ecs_dimensions(), "Percent", noisy(rng, 46, 2)),
        series("HTTPCode_Target_5XX_Count", alb_dimensions(), "Count", errors_5xx)
        + series("RequestCount", alb_dimensions(), "Count", noisy(rng, 1200, 60)),
    )

    alarm = single_metric_alarm(
        "0f3c8e52-6d1a-4f7b-9b0e-2c51d7e4a901",
        "checkout-5xx",
        "checkout returns 5xx responses",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": LOAD_BALANCER},
        "Sum",
        182.0,
        20.0,
        "greater than or equal to",
    )
    ecs = ecs_state(
        [task_definition("1.4.2"), task_definition("1.5.0")],
        desired=2,
        deploy="checkout:2",
    )
    scenario = {
        "name": "bad-deployment",
        "description": "checkout:2 (image 1.5.0) is deployed at 14:01 and every checkout fails with a NullPointerException in the discount lookup; 5xx responses climb and the alarm fires at 14:05.",
        "conclusion": "The deployment of checkout:2 broke checkout: the new 5xx and NullPointerException log templates start seconds after it, nothing else changed, so roll the service back to checkout:1.",
        "expected": {"top_cause": "bad_deployment", "action": "rollback_service"},
        "reference_time": rfc3339(REFERENCE_TIME),
        "service": service_block(["checkout-5xx"]),
    }
    return scenario, alarm, logs.batches(), metrics, ecs, None


def oom_killed():
    logs = LogWriter(2)
    rng = logs.rng
    baseline_traffic(logs)

    # Heap warnings grow more frequent as a leak fills memory, then tasks are killed.
    for index in range(MINUTES):
        start = minute(index)
        if start < datetime(2026, 11, 30, 13, 45, tzinfo=timezone.utc):
            continue
        warnings = 1 if start < datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc) else 4
        if start.minute % 5 != 0 and warnings == 1:
            continue
        for _ in range(warnings):
            logs.add(task_stream(OLD_TASKS[rng.randrange(2)]), start + timedelta(seconds=rng.uniform(0, 59)), f"WARN [jvm] heap usage {rng.randint(85, 99)}% of max, gc pause {rng.randint(300, 1900)}ms")
    for offset, task in ((10, NEW_TASKS[0]), (70, NEW_TASKS[1]), (150, "5e4d3c2b1a09f8e7d6c5b4a392817061")):
        logs.add(task_stream(task), REFERENCE_TIME + timedelta(seconds=offset), "INFO [main] starting checkout version=1.4.2 commit=4be81d0")

    def memory(index, time):
        leak_start = datetime(2026, 11, 30, 13, 50, tzinfo=timezone.utc)
        if time < leak_start:
            return 52 + rng.uniform(-2, 2)
        # Sawtooth: usage climbs until a kill, drops when the task restarts, climbs again.
        minutes_in = int((time - leak_start).total_seconds() // 60)
        return min(99.0, 55 + (minutes_in % 12) * 4 + rng.uniform(0, 1.5))

    metrics = metric_batches(
        series("CPUUtilization", ecs_dimensions(), "Percent", noisy(rng, 41, 3))
        + series("MemoryUtilization", ecs_dimensions(), "Percent", memory),
        series("HTTPCode_Target_5XX_Count", alb_dimensions(), "Count", lambda index, time: rng.choice([0, 0, 1]) if time < REFERENCE_TIME else rng.uniform(3, 12))
        + series("RequestCount", alb_dimensions(), "Count", noisy(rng, 1150, 50)),
    )

    alarm = single_metric_alarm(
        "7a2d4c19-3b8e-4f50-a6c1-9d0e2f3b4a57",
        "checkout-memory-high",
        "checkout tasks use more than 90% of their memory",
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": CLUSTER, "ServiceName": SERVICE},
        "Maximum",
        97.2,
        90.0,
        "greater than",
    )
    ecs = ecs_state(
        [task_definition("1.4.2")],
        desired=2,
        stopped=[{"count": 3, "task_definition": "checkout:1", "reason": "OutOfMemoryError: Container killed due to memory usage", "exit_code": 137}],
    )
    scenario = {
        "name": "oom-killed",
        "description": "Memory of the checkout tasks climbs from 13:50 until ECS kills them with exit code 137 (OutOfMemoryError); replacement tasks start and climb again. Nothing was deployed.",
        "conclusion": "The tasks run out of memory under their 512 MiB limit: three were OOM-killed while memory utilisation climbed, with no deployment, so raise the container's memory limit (and look for the leak).",
        "expected": {"top_cause": "out_of_memory", "action": "raise_memory_limit"},
        "reference_time": rfc3339(REFERENCE_TIME),
        "service": service_block(["checkout-memory-high"]),
    }
    return scenario, alarm, logs.batches(), metrics, ecs, None


def dependency_failure():
    logs = LogWriter(3)
    rng = logs.rng
    baseline_traffic(logs)

    outage = datetime(2026, 11, 30, 14, 0, 40, tzinfo=timezone.utc)
    time = outage
    count = 0
    while time < END:
        task = OLD_TASKS[count % 2]
        order = rng.randint(1000, 9999)
        if count % 4 == 3:
            logs.add(task_stream(task), time, f"ERROR [payments] connect ECONNREFUSED 10.0.42.{rng.randint(10, 40)}:443 (payments-api) order_id=ord-{order}")
        else:
            logs.add(task_stream(task), time, f"ERROR [payments] upstream payments-api timed out after 5000ms order_id=ord-{order}")
        if count % 10 == 0:
            logs.add(task_stream(task), time + timedelta(milliseconds=2), "WARN [payments] circuit breaker payments-api state=open")
        count += 1
        time += timedelta(seconds=rng.uniform(6, 12))

    def latency(index, time):
        return 0.14 + rng.uniform(-0.02, 0.02) if time < REFERENCE_TIME else 4.6 + rng.uniform(-0.4, 0.4)

    def errors_5xx(index, time):
        return rng.choice([0, 0, 0, 1]) if time < REFERENCE_TIME else rng.uniform(60, 130)

    metrics = metric_batches(
        series("CPUUtilization", ecs_dimensions(), "Percent", noisy(rng, 33, 3))
        + series("MemoryUtilization", ecs_dimensions(), "Percent", noisy(rng, 47, 2)),
        series("HTTPCode_Target_5XX_Count", alb_dimensions(), "Count", errors_5xx)
        + series("RequestCount", alb_dimensions(), "Count", noisy(rng, 1180, 60))
        + series("TargetResponseTime", alb_dimensions(), "Seconds", latency),
    )

    evaluated = ALARM_TIME - timedelta(minutes=1)
    dimensions = {"LoadBalancer": LOAD_BALANCER}
    configuration = {
        "description": "More than 5% of checkout requests fail",
        "metrics": [
            {"id": "e1", "expression": "100 * m1 / m2", "label": "checkout error rate", "returnData": True},
            {"id": "m1", "metricStat": metric_stat("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dimensions, "Sum"), "returnData": False},
            {"id": "m2", "metricStat": metric_stat("AWS/ApplicationELB", "RequestCount", dimensions, "Sum"), "returnData": False},
        ],
    }
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [8.47 ({evaluated.strftime('%d/%m/%y %H:%M:%S')})] "
        "was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    reason_data = {
        "version": "1.0",
        "queryDate": cloudwatch_time(ALARM_TIME + timedelta(milliseconds=208)),
        "startDate": cloudwatch_time(evaluated),
        "period": 60,
        "recentDatapoints": [8.47],
        "threshold": 5.0,
        "evaluatedDatapoints": [{"timestamp": cloudwatch_time(evaluated), "value": 8.47}],
    }
    alarm = alarm_event("b81e2f4a-95c3-4d7e-8a60-1f2e3d4c5b6a", "checkout-error-rate", reason, reason_data, configuration, ALARM_TIME + timedelta(milliseconds=208))
    ecs = ecs_state([task_definition("1.4.2")], desired=2)
    scenario = {
        "name": "dependency-failure",
        "description": "From 14:00:40 calls from checkout to payments-api time out or are refused; latency and the error rate climb. Nothing of checkout was deployed and no task was killed.",
        "conclusion": "payments-api, a dependency outside checkout, is failing: the new timed-out and connection-refused templates and the latency rise start together with no change on our side, so no change to checkout is proposed; page the payments-api owners.",
        "expected": {"top_cause": "dependency_failure", "action": None},
        "reference_time": rfc3339(REFERENCE_TIME),
        "service": service_block(["checkout-error-rate"]),
    }
    return scenario, alarm, logs.batches(), metrics, ecs, None


def no_anomaly():
    logs = LogWriter(4)
    rng = logs.rng
    baseline_traffic(logs)
    blip = datetime(2026, 11, 30, 14, 4, tzinfo=timezone.utc)
    logs.add(task_stream(OLD_TASKS[0]), blip + timedelta(seconds=12), "WARN [http] slow request GET /api/cart/cart-55120 took 1420ms")

    def latency_with_one_slow_minute(index, time):
        return 1.42 if time == blip else 0.28 + rng.uniform(-0.03, 0.03)

    metrics = metric_batches(
        series("CPUUtilization", ecs_dimensions(), "Percent", noisy(rng, 36, 3))
        + series("MemoryUtilization", ecs_dimensions(), "Percent", noisy(rng, 44, 2)),
        series("TargetResponseTime", alb_dimensions(), "Seconds", latency_with_one_slow_minute)
        + series("RequestCount", alb_dimensions(), "Count", noisy(rng, 1210, 60)),
    )
    alarm = single_metric_alarm(
        "3e9a1c7d-2b4f-4e8a-9c0d-5f6a7b8c9d0e",
        "checkout-latency-max",
        "checkout maximum latency above 1 second",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        # Maximum, not p99: moto's GetMetricData computes no percentiles.
        {"LoadBalancer": LOAD_BALANCER},
        "Maximum",
        1.42,
        1.0,
        "greater than",
    )
    ecs = ecs_state([task_definition("1.4.2")], desired=2)
    scenario = {
        "name": "no-anomaly",
        "description": "The maximum latency alarm fires on a single slow minute at 14:04; before and after, logs, latency, CPU and memory are steady and nothing was deployed or killed.",
        "conclusion": "Nothing is wrong: one datapoint crossed the threshold and the next were back to normal, so no action is needed; the alarm should need more than one datapoint.",
        "expected": {"top_cause": "no_anomaly", "action": None},
        "reference_time": rfc3339(REFERENCE_TIME),
        "service": service_block(["checkout-latency-max"]),
    }
    return scenario, alarm, logs.batches(), metrics, ecs, None


def traffic_surge():
    logs = LogWriter(5)
    rng = logs.rng
    surge = datetime(2026, 11, 30, 13, 56, tzinfo=timezone.utc)
    baseline_traffic(logs, requests_per_minute=lambda index: 3 if minute(index) < surge else 8)

    def cpu(index, time):
        if time < surge:
            return 37 + rng.uniform(-3, 3)
        ramp_minutes = (time - surge).total_seconds() / 60
        if ramp_minutes < 4:
            return 60 + ramp_minutes * 8
        return 94 + rng.uniform(-2, 3)

    def requests(index, time):
        return 1200 + rng.uniform(-60, 60) if time < surge else 3100 + rng.uniform(-150, 150)

    def latency(index, time):
        return 0.12 + rng.uniform(-0.01, 0.01) if time < surge else 0.38 + rng.uniform(-0.04, 0.04)

    metrics = metric_batches(
        series("CPUUtilization", ecs_dimensions(), "Percent", cpu)
        + series("MemoryUtilization", ecs_dimensions(), "Percent", noisy(rng, 49, 2)),
        series("RequestCount", alb_dimensions(), "Count", requests)
        + series("TargetResponseTime", alb_dimensions(), "Seconds", latency),
    )

    rule = "ALARM(checkout-cpu-high) AND ALARM(checkout-requests-high)"
    child_time = cloudwatch_time(ALARM_TIME - timedelta(seconds=31))
    reason = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:checkout-requests-high transitioned to ALARM at Monday 30 November, 2026 14:04:29 UTC"
    reason_data = {
        "triggeringAlarms": [
            {"arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:checkout-cpu-high", "state": {"value": "ALARM", "timestamp": cloudwatch_time(datetime(2026, 11, 30, 14, 0, 3, 517000, tzinfo=timezone.utc))}},
            {"arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:checkout-requests-high", "state": {"value": "ALARM", "timestamp": child_time}},
        ]
    }
    configuration = {
        "alarmRule": rule,
        "alarmName": "checkout-overloaded",
        "description": "checkout is busy and traffic is high",
        "actionsEnabled": True,
        "timestamp": cloudwatch_time(datetime(2026, 10, 2, 11, 20, 5, 0, tzinfo=timezone.utc)),
        "okActions": [],
        "alarmActions": [],
        "insufficientDataActions": [],
    }
    alarm = alarm_event("5c7e9a1b-3d5f-4a7c-8e9f-0a1b2c3d4e5f", "checkout-overloaded", reason, reason_data, configuration, ALARM_TIME + timedelta(milliseconds=95))
    ecs = ecs_state([task_definition("1.4.2", memory=1024, launch_type="EC2")], desired=4, launch_type="EC2")
    tags = [{"Key": "Name", "Value": "ecs-prod-node"}, {"Key": "ecs-cluster", "Value": CLUSTER}]
    ec2 = {"instances": [{"InstanceType": "m5.large", "Tags": tags} for _ in range(2)]}
    scenario = {
        "name": "traffic-surge",
        "description": "Traffic to checkout grows 2.5-fold from 13:56; CPU of its four tasks on two EC2 instances runs above 90% and latency triples. No deployment, no OOM kill, no new error.",
        "conclusion": "checkout is saturated by a traffic surge: CPU above 90% with request count up and nothing changed or broken, so scale the service out.",
        "expected": {"top_cause": "saturation", "action": "scale_out"},
        "reference_time": rfc3339(REFERENCE_TIME),
        "service": service_block(["checkout-overloaded", "checkout-cpu-high", "checkout-requests-high"]),
    }
    return scenario, alarm, logs.batches(), metrics, ecs, ec2


def write(folder, name, value):
    path = folder / name
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")
    return path


def main():
    for build in (bad_deployment, oom_killed, dependency_failure, no_anomaly, traffic_surge):
        scenario, alarm, logs, metrics, ecs, ec2 = build()
        folder = ROOT / scenario["name"]
        folder.mkdir(exist_ok=True)
        write(folder, "scenario.json", scenario)
        write(folder, "alarm-event.json", alarm)
        write(folder, "logs.json", logs)
        write(folder, "metrics.json", metrics)
        write(folder, "ecs.json", ecs)
        if ec2 is not None:
            write(folder, "ec2.json", ec2)
        lines = sum(len(batch["events"]) for batch in logs)
        size = sum(path.stat().st_size for path in folder.iterdir())
        print(f"{scenario['name']}: {lines} log events, {size // 1024} KiB")


if __name__ == "__main__":
    main()
