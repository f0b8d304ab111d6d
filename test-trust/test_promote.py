"""promote: candidate -> staging in two regions of the home account and one copy account."""
import pytest

from conftest import HOME, LOCATIONS

CANDIDATE = "/golden-ami/base/candidate"
STAGING = "/golden-ami/base/staging"
REVOKED = "/golden-ami/base/revoked"


def events(**overrides):
    value = {
        "Locations": LOCATIONS,
        "FromParameter": CANDIDATE,
        "ToParameter": STAGING,
        "RevocationListParameter": REVOKED,
        "SoakHours": 24,
        "BlockingSeverities": ["CRITICAL", "HIGH"],
    }
    value.update(overrides)
    return value


def finding(ami, severity, status="ACTIVE"):
    return {
        "findingArn": f"arn:aws:inspector2:eu-west-1:{HOME}:finding/{ami}-{severity}-{status}",
        "awsAccountId": HOME,
        "severity": severity,
        "status": status,
        "type": "PACKAGE_VULNERABILITY",
        "resources": [{"type": "AWS_EC2_INSTANCE", "id": "i-0123456789abcdef0",
                       "details": {"awsEc2Instance": {"imageId": ami}}}],
    }


@pytest.fixture
def candidates(aws):
    """A candidate AMI in every location, published to the candidate channel 25 hours ago."""
    amis = []
    for location in LOCATIONS:
        ami = aws.register(location, "golden-base-2024-06-01")
        aws.put_ami(location, CANDIDATE, ami)
        aws.backdate(location, CANDIDATE, 25)
        amis.append(ami)
    return amis


def staging_values(aws):
    return [(aws.parameter(location, STAGING) or {}).get("Value") for location in LOCATIONS]


def test_promotes_in_every_location_and_a_second_run_changes_nothing(trust_chain, aws, candidates):
    # Findings that do not block: a LOW one and a CLOSED CRITICAL one on the home AMI.
    aws.seed_findings(LOCATIONS[0], [finding(candidates[0], "LOW"), finding(candidates[0], "CRITICAL", "CLOSED")])

    result = trust_chain.promote(events(), None)

    assert result["Status"] == "Promoted"
    assert [(entry["Region"], entry["Account"], entry["ImageId"], entry["Changed"]) for entry in result["Locations"]] == [
        (location["Region"], location["Account"], ami, True) for location, ami in zip(LOCATIONS, candidates)]
    for location, ami in zip(LOCATIONS, candidates):
        parameter = aws.parameter(location, STAGING)
        assert (parameter["Value"], parameter["DataType"], parameter["Type"], parameter["Version"]) == (
            ami, "aws:ec2:image", "String", 1)

    again = trust_chain.promote(events(), None)

    assert again["Status"] == "Promoted"
    assert [entry["Changed"] for entry in again["Locations"]] == [False, False, False]
    assert [aws.parameter(location, STAGING)["Version"] for location in LOCATIONS] == [1, 1, 1]


def test_a_location_still_soaking_writes_nothing(trust_chain, aws, candidates):
    # The copy account's candidate was published an hour ago.
    copy = LOCATIONS[2]
    aws.put_ami(copy, CANDIDATE, candidates[2])

    result = trust_chain.promote(events(), None)

    assert result["Status"] == "Soaking"
    assert [(entry["Account"], entry["ImageId"]) for entry in result["Locations"]] == [(copy["Account"], candidates[2])]
    assert 23.9 < result["Locations"][0]["RemainingHours"] <= 24
    assert staging_values(aws) == [None, None, None]


def test_no_soak_period_promotes_a_fresh_candidate(trust_chain, aws, candidates):
    aws.put_ami(LOCATIONS[1], CANDIDATE, candidates[1])

    result = trust_chain.promote(events(SoakHours=0, BlockingSeverities=[]), None)

    assert result["Status"] == "Promoted"
    assert staging_values(aws) == candidates


def test_an_active_blocking_inspector_finding_refuses_and_writes_nothing(trust_chain, aws, candidates):
    aws.seed_findings(LOCATIONS[0], [finding(candidates[0], "HIGH")])

    with pytest.raises(trust_chain.TrustChainError, match="active Inspector findings: .*" + candidates[0] + r"-HIGH-ACTIVE \(HIGH\)"):
        trust_chain.promote(events(), None)

    assert staging_values(aws) == [None, None, None]


def test_a_blocking_finding_in_a_copy_account_refuses_too(trust_chain, aws, candidates):
    # The copy account's instances on its copy of the AMI are scanned by that account's Inspector.
    copy = LOCATIONS[2]
    aws.seed_findings(copy, [dict(finding(candidates[2], "CRITICAL"), awsAccountId=copy["Account"])])

    with pytest.raises(trust_chain.TrustChainError, match="active Inspector findings: .*" + candidates[2] + r"-CRITICAL-ACTIVE \(CRITICAL\)"):
        trust_chain.promote(events(), None)

    assert staging_values(aws) == [None, None, None]


def test_a_finding_of_a_severity_not_blocking_is_ignored(trust_chain, aws, candidates):
    aws.seed_findings(LOCATIONS[0], [finding(candidates[0], "HIGH")])

    assert trust_chain.promote(events(BlockingSeverities=["CRITICAL"]), None)["Status"] == "Promoted"


def test_a_revoked_ami_in_the_from_channel_is_refused_and_nothing_is_written(trust_chain, aws, candidates):
    # Only the copy account's AMI is revoked: the home locations, which pass, are not written either.
    copy = LOCATIONS[2]
    aws.client("ssm", copy).put_parameter(Name=REVOKED, Type="StringList",
                                          Value=f"ami-0123456789abcdef0=older,{candidates[2]}=CVE-2024-0001 openssl")

    with pytest.raises(trust_chain.TrustChainError, match=f"eu-west-1/{copy['Account']}: {candidates[2]} is revoked: CVE-2024-0001 openssl"):
        trust_chain.promote(events(), None)

    assert staging_values(aws) == [None, None, None]


def test_a_disabled_ami_is_refused(trust_chain, aws, candidates):
    aws.client("ec2", LOCATIONS[1]).disable_image(ImageId=candidates[1])

    with pytest.raises(trust_chain.TrustChainError, match=f"us-east-1/{HOME}: {candidates[1]} is disabled"):
        trust_chain.promote(events(), None)

    assert staging_values(aws) == [None, None, None]


def test_a_missing_from_channel_is_refused(trust_chain, aws, candidates):
    aws.client("ssm", LOCATIONS[1]).delete_parameter(Name=CANDIDATE)

    with pytest.raises(trust_chain.TrustChainError, match=f"us-east-1/{HOME}: {CANDIDATE} does not exist"):
        trust_chain.promote(events(), None)

    assert staging_values(aws) == [None, None, None]
