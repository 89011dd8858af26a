"""Deploy helpers around the SAM stack (used by infra/deploy.sh and infra/publish.sh).

    python -m rezone_infra.aws outputs STACK [KEY]   print the stack's outputs (or one of them)
    python -m rezone_infra.aws web STACK [DIR]       upload the web client to s3://<bucket>/web/ and
                                                     invalidate the CDN's copy

boto3 only (the app's .venv has it); credentials and region come from the usual AWS environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rezone_infra import web_rules

__all__ = ["WEB_PREFIX", "invalidate", "main", "stack_outputs", "upload_web"]

WEB_PREFIX = "web/"
ROOT = Path(__file__).resolve().parents[2]


def stack_outputs(stack: str, cfn=None) -> dict[str, str]:
    """``{OutputKey: OutputValue}`` of a deployed CloudFormation stack."""
    if cfn is None:
        import boto3

        cfn = boto3.client("cloudformation")
    stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def upload_web(dist: str | Path, bucket: str, s3=None) -> list[str]:
    """Upload every file of ``dist`` under ``web/`` with its type and the Cache-Control of
    ``web_rules`` (the local server's rules); remove stale ones. The build's precompressed sidecars
    (``.br``/``.gz``) stay home: CloudFront compresses on its own and S3 cannot negotiate."""
    if s3 is None:
        import boto3

        s3 = boto3.client("s3")
    dist = Path(dist)
    if not (dist / "index.html").is_file():
        raise FileNotFoundError(
            f"{dist}/index.html missing: build the web client first (cd web && npm run build)"
        )
    keys = []
    for p in sorted(f for f in dist.rglob("*") if f.is_file() and not web_rules.is_sidecar(f.name)):
        key = WEB_PREFIX + p.relative_to(dist).as_posix()
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=p.read_bytes(),
            ContentType=web_rules.content_type(p.name),
            CacheControl=web_rules.cache_control(p.name),
        )
        keys.append(key)
    wanted = set(keys)
    stale = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=WEB_PREFIX)
        for o in page.get("Contents", [])
        if o["Key"] not in wanted
    ]
    for key in stale:
        s3.delete_object(Bucket=bucket, Key=key)
    return keys


def invalidate(distribution_id: str, paths: list[str] | None = None, cloudfront=None) -> str:
    """Invalidate the web client's paths in the CDN (the API and tiles are versioned: never needed)."""
    if cloudfront is None:
        import boto3

        cloudfront = boto3.client("cloudfront")
    import time

    paths = paths or ["/*"]
    r = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": str(time.time()),
        },
    )
    return r["Invalidation"]["Id"]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and args[0] == "outputs":
        out = stack_outputs(args[1])
        if len(args) > 2:
            print(out[args[2]])
        else:
            for k, v in sorted(out.items()):
                print(f"{k}\t{v}")
        return 0
    if len(args) >= 2 and args[0] == "web":
        out = stack_outputs(args[1])
        dist = Path(args[2]) if len(args) > 2 else ROOT / "web" / "dist"
        keys = upload_web(dist, out["ReleasesBucket"])
        inv = invalidate(out["DistributionId"], ["/"] + ["/" + k[len(WEB_PREFIX) :] for k in keys])
        print(f"uploaded {len(keys)} files to s3://{out['ReleasesBucket']}/{WEB_PREFIX}; invalidation {inv}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
