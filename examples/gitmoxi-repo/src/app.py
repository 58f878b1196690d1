import os

VERSION = "v1"


def handler(event, context):
    return {"statusCode": 200, "body": f"{os.environ.get('GREETING', 'hello')} from {VERSION}"}
