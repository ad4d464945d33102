"""A gRPC client for tests, built ONLY from the reference's own code: cassandra-medusa's stubs
(medusa.service.grpc.medusa_pb2, medusa_pb2_grpc), its client (medusa.service.grpc.client.Client)
and grpcio's health stubs. It serves JSON lines on stdin/stdout so a test keeps one Python process
for many calls (each Python start costs about a second of CPU).

Request lines (one JSON object each, answered by one line with the same "id"):
  {"id", "op": "call", "target", "rpc", "request": {...}, "tls"?: {"ca", "cert"?, "key"?}, "timeout"?}
      -> {"id", "ok": true, "response": {...}} or {"id", "ok": false, "code": "NOT_FOUND", "details"}
      Messages are json_format dicts: proto field names, enums by name, int64 as decimal strings,
      every field present.
  {"id", "op": "cancel", "target", "rpc", "request", "after_ms"}: starts the call, cancels it after
      after_ms (a client going away mid-call) -> {"id", "ok": false, "code": "CANCELLED", ...} or
      the answer if it came first.
  {"id", "op": "client", "target", "method", "args": [...]}: one method of the reference's Client
      (health_check, async_backup, backup, delete_backup, get_backup, get_backups,
      get_backup_status, backup_exists, purge_backups) -> {"id", "ok": true, "result": ...}
  {"id", "op": "health", "target", "tls"?, "service"?} -> {"id", "ok": true, "status": "SERVING"} or an error
"""
import asyncio
import json
import sys
import threading

import grpc
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from medusa.service.grpc import medusa_pb2, medusa_pb2_grpc
from medusa.service.grpc.client import Client

REQUESTS = {
    "Backup": medusa_pb2.BackupRequest,
    "AsyncBackup": medusa_pb2.BackupRequest,
    "BackupStatus": medusa_pb2.BackupStatusRequest,
    "DeleteBackup": medusa_pb2.DeleteBackupRequest,
    "GetBackup": medusa_pb2.GetBackupRequest,
    "GetBackups": medusa_pb2.GetBackupsRequest,
    "PurgeBackups": medusa_pb2.PurgeBackupsRequest,
    "PrepareRestore": medusa_pb2.PrepareRestoreRequest,
}

_channels = {}


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _credentials(tls):
    return grpc.ssl_channel_credentials(
        root_certificates=_read(tls["ca"]),
        private_key=_read(tls["key"]) if tls.get("key") else None,
        certificate_chain=_read(tls["cert"]) if tls.get("cert") else None,
    )


# The operator checks the server's chain against its CA without a host name check; grpcio has no
# such switch, so tests name the certificate's host instead (it is issued for "localhost").
_TLS_OPTIONS = [("grpc.ssl_target_name_override", "localhost"), ("grpc.max_receive_message_length", 512 * 1024 * 1024)]


def _channel(target, tls):
    key = (target, json.dumps(tls, sort_keys=True))
    if key not in _channels:
        if tls:
            _channels[key] = grpc.secure_channel(target, _credentials(tls), options=_TLS_OPTIONS)
        else:
            _channels[key] = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 512 * 1024 * 1024)])
    return _channels[key]


def _to_dict(message):
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True, preserving_proto_field_name=True)


def _error(e):
    return {"ok": False, "code": e.code().name, "details": e.details() or ""}


def _request(msg):
    request = REQUESTS[msg["rpc"]]()
    json_format.ParseDict(msg.get("request", {}), request)
    return request


def _call(msg):
    stub = medusa_pb2_grpc.MedusaStub(_channel(msg["target"], msg.get("tls")))
    try:
        response = getattr(stub, msg["rpc"])(_request(msg), timeout=msg.get("timeout", 120))
        return {"ok": True, "response": _to_dict(response)}
    except grpc.RpcError as e:
        return _error(e)


def _cancel(msg):
    stub = medusa_pb2_grpc.MedusaStub(_channel(msg["target"], msg.get("tls")))
    future = getattr(stub, msg["rpc"]).future(_request(msg), timeout=msg.get("timeout", 120))
    threading.Event().wait(msg["after_ms"] / 1000)
    future.cancel()
    try:
        return {"ok": True, "response": _to_dict(future.result())}
    except grpc.FutureCancelledError:
        return {"ok": False, "code": "CANCELLED", "details": "cancelled by the client"}
    except grpc.RpcError as e:
        return _error(e)


def _result(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "DESCRIPTOR"):
        return _to_dict(value)
    return [_result(v) for v in value]


async def _client(msg):
    client = Client(msg["target"])
    try:
        value = await getattr(client, msg["method"])(*msg.get("args", []))
        if msg["method"] == "health_check" and value is not None:
            value = health_pb2.HealthCheckResponse.ServingStatus.Name(value.status)
        elif msg["method"] == "get_backup_status":
            value = medusa_pb2.StatusType.Name(value)
        return {"ok": True, "result": _result(value)}
    finally:
        await client.channel.close()


def _health(msg):
    stub = health_pb2_grpc.HealthStub(_channel(msg["target"], msg.get("tls")))
    try:
        response = stub.Check(health_pb2.HealthCheckRequest(service=msg.get("service", "")), timeout=msg.get("timeout", 30))
        return {"ok": True, "status": health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}
    except grpc.RpcError as e:
        return _error(e)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        try:
            if msg["op"] == "call":
                answer = _call(msg)
            elif msg["op"] == "cancel":
                answer = _cancel(msg)
            elif msg["op"] == "client":
                answer = asyncio.run(_client(msg))
            elif msg["op"] == "health":
                answer = _health(msg)
            else:
                answer = {"ok": False, "code": "DRIVER", "details": "unknown op " + str(msg["op"])}
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
            answer = {"ok": False, "code": "DRIVER", "details": "%s: %s" % (type(e).__name__, e)}
        answer["id"] = msg["id"]
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
