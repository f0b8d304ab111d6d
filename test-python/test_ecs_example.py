"""The ECS example synthesized from Python (examples/ecs.py) and from TypeScript
(examples/ecs.ts) must give the same templates: the Python package is the same API."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACKS = ["ImageFactory", "Workload"]


def synth(command, outdir):
    env = dict(os.environ, CDK_OUTDIR=outdir)
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=600)
    return {name: json.load(open(os.path.join(outdir, f"{name}.template.json"))) for name in STACKS}


def test_python_and_typescript_examples_synthesize_the_same_templates():
    with tempfile.TemporaryDirectory() as python_out, tempfile.TemporaryDirectory() as typescript_out:
        from_python = synth([sys.executable, "examples/ecs.py"], python_out)
        from_typescript = synth(
            ["npx", "ts-node", "--project", "tsconfig.dev.json", "examples/ecs.ts"], typescript_out
        )
    for name in STACKS:
        resources = from_python[name]["Resources"]
        assert len(resources) > 5, name
        assert from_python[name] == from_typescript[name], name
    factory = from_python["ImageFactory"]["Resources"]
    pipelines = sorted(r["Properties"]["Name"] for r in factory.values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline")
    assert pipelines == ["al2023-base", "ecs-app"]
    workload = from_python["Workload"]["Resources"]
    templates = [r for r in workload.values() if r["Type"] == "AWS::EC2::LaunchTemplate"]
    assert templates[0]["Properties"]["LaunchTemplateData"]["ImageId"] == "resolve:ssm:/golden-ami/ecs-app/latest"
