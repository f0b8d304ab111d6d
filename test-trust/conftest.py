"""Fixtures of the trust-chain scenarios: the script as the npm package ships it, run through the
real boto3 against moto server (test-trust/moto_launcher.py) on a free 127.0.0.1 port.

Accounts: HOME is moto's default account (the automation's own credentials); COPY is reached the
way the script reaches it, through arn:aws:iam::<COPY>:role/GoldenAmiTrustChainRole (moto maps an
assumed role's credentials to the role's account).
"""
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
HOME = "123456789012"
COPY = "222222222222"
HOME_REGION = "eu-west-1"
OTHER_REGION = "us-east-1"


def role_arn(account):
    return f"arn:aws:iam::{account}:role/GoldenAmiTrustChainRole"


# The three locations of the scenarios: two regions of the home account, one copy account.
LOCATIONS = [
    {"Region": HOME_REGION, "Account": HOME, "RoleArn": ""},
    {"Region": OTHER_REGION, "Account": HOME, "RoleArn": ""},
    {"Region": HOME_REGION, "Account": COPY, "RoleArn": role_arn(COPY)},
]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def script_file(tmp_path_factory):
    """TRUST_CHAIN_SCRIPT written out by scripts/export-trust-chain-script.ts."""
    target = tmp_path_factory.mktemp("trust-chain") / "trust_chain_script.py"
    subprocess.run(
        ["npx", "ts-node", "--transpile-only", "--project", "tsconfig.dev.json",
         "scripts/export-trust-chain-script.ts", str(target)],
        cwd=ROOT, check=True,
    )
    return target


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory):
    port = _free_port()
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    # The server's log (tracebacks of its 500s) stays in pytest's temporary directory.
    log = open(tmp_path_factory.mktemp("moto") / "moto_server.log", "w")
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "moto_launcher.py"), "-H", "127.0.0.1", "-p", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/data.json", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("moto server did not start")
            time.sleep(0.2)
    saved = {key: os.environ.get(key) for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                  "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_PROFILE")}
    os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION=HOME_REGION)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    yield url
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.terminate()
    server.wait(timeout=10)
    log.close()


def moto_api(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url + path, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


@pytest.fixture
def trust_chain(script_file, moto_url):
    """The script as a fresh module per test, against an empty moto."""
    moto_api(moto_url, "/moto-api/reset")
    spec = importlib.util.spec_from_file_location("trust_chain_script", script_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Aws:
    """Clients per location as the test's own setup uses them (not through the script)."""

    def __init__(self, url):
        self.url = url
        # One session: each service's model is parsed once; other accounts by client credentials.
        self._session = boto3.session.Session()
        self._credentials = {HOME: {}}
        self._clients = {}

    def credentials(self, account):
        if account not in self._credentials:
            credentials = self._session.client("sts", region_name=HOME_REGION).assume_role(
                RoleArn=role_arn(account), RoleSessionName="test-setup")["Credentials"]
            self._credentials[account] = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"]}
        return self._credentials[account]

    def client(self, service, location):
        key = (service, location["Account"], location["Region"])
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=location["Region"],
                                                      **self.credentials(location["Account"]))
        return self._clients[key]

    def register(self, location, name):
        return self.client("ec2", location).register_image(Name=name)["ImageId"]

    def image(self, location, ami):
        images = self.client("ec2", location).describe_images(ImageIds=[ami], IncludeDisabled=True)["Images"]
        return images[0] if images else None

    def put_ami(self, location, name, ami):
        self.client("ssm", location).put_parameter(Name=name, Value=ami, Type="String",
                                                   DataType="aws:ec2:image", Overwrite=True)

    def parameter(self, location, name):
        try:
            return self.client("ssm", location).get_parameter(Name=name)["Parameter"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ParameterNotFound":
                return None
            raise

    def backdate(self, location, name, hours):
        moto_api(self.url, "/moto-api/golden-ami/backdate-parameter",
                 {"account_id": location["Account"], "region": location["Region"], "name": name, "hours": hours})

    def seed_findings(self, location, findings):
        moto_api(self.url, "/moto-api/static/inspector2/findings-results",
                 {"results": [findings], "account_id": location["Account"], "region": location["Region"]})


@pytest.fixture
def aws(trust_chain, moto_url):
    return Aws(moto_url)
