"""Records every event it gets (EventsTable, pk = connection id); answers messages with what it saw."""

import json
import os
import time

import boto3

table = boto3.resource("dynamodb").Table(os.environ["EVENTS_TABLE"])


def handler(event, context):
    ctx = event["requestContext"]
    table.put_item(Item={"pk": ctx["connectionId"], "sk": f"{time.time_ns()}#{ctx['eventType']}",
                         "event": json.dumps(event)})
    if ctx["eventType"] == "CONNECT" and (event.get("queryStringParameters") or {}).get("reject"):
        return {"statusCode": 403}
    if ctx["eventType"] == "MESSAGE":
        if event.get("body") == "fail":
            raise RuntimeError("handler failed")
        return {"statusCode": 200, "body": json.dumps({"route": ctx["routeKey"], "got": event.get("body"),
                                                       "binary": event.get("isBase64Encoded"),
                                                       "connection_id": ctx["connectionId"]})}
    return {"statusCode": 200}
