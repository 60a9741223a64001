"""Extract (FunctionGraph document flow): reads an uploaded text document from OBS and returns its
normalized text with a few statistics for the next steps."""
import os
import re

import boto3
from botocore.config import Config

# Path-style addressing works with every endpoint, the local cloud's included (AWS_ENDPOINT_URL).
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))

MAX_CHARS = 20_000


def handler(event, context):
    bucket, key = event["bucket"], event["key"]
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"\s+", " ", text).strip()
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    return {
        "bucket": bucket,
        "key": key,
        "text": text[:MAX_CHARS],
        "truncated": len(text) > MAX_CHARS,
        "words": len(text.split()),
        "sentences": len(sentences),
        "runtime": f"python {os.sys.version_info.major}.{os.sys.version_info.minor}",
    }
