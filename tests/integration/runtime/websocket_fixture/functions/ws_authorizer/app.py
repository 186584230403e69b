"""token=good → Allow (context user=u1); deny → Deny; bad → "Unauthorized"; boom → an error."""


def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    if token == "bad":
        raise Exception("Unauthorized")
    if token == "boom":
        raise ValueError("broken authorizer")
    effect = "Allow" if token == "good" else "Deny"
    return {"principalId": "u1", "context": {"user": "u1", "level": 3},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
