"""moto server for the trust-chain scenarios, with what moto 5.2.5 lacks added here (and only here).

    python test-trust/moto_launcher.py -H 127.0.0.1 -p 5000

- EC2 EnableImageDeprecation: moto has no such response method (moto/ec2/responses/amis.py).
  Added with AWS's documented rules: DeprecateAt is rounded to the nearest minute and may not be in
  the past (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html);
  the image keeps it as ``deprecation_time``, which DescribeImages then returns as DeprecationTime.
- EC2 DescribeImages: moto returns disabled images always; AWS leaves them out unless
  IncludeDisabled is true (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html),
  so a caller that forgets the flag fails here as it would in AWS.
- Inspector2 ListFindings: moto answers from a queue of canned results whatever the filter. Here
  the findings seeded through moto's own endpoint (POST /moto-api/static/inspector2/findings-results)
  are the account's and region's findings, and ListFindings applies the string filters the way
  Inspector documents them (https://docs.aws.amazon.com/inspector/v2/APIReference/API_FilterCriteria.html:
  values of one criterion are alternatives, criteria all apply) for the fields the trust chain uses.
- POST /moto-api/golden-ami/backdate-parameter {"account_id", "region", "name", "hours"}: moves every
  version of an SSM parameter back in time, so a soak period can pass without waiting for it.
"""
import datetime
import json
import sys

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidAMIIdError
from moto.ec2.responses.amis import AmisResponse
from moto.inspector2.models import Inspector2Backend
from moto.moto_api._internal import urls as moto_api_urls
from moto.server import main


def _bool_param(response, name):
    return str(response._get_param(name, "false")).lower() == "true"


def enable_image_deprecation(self):
    ami_id = self._get_param("ImageId")
    deprecate_at = self._get_param("DeprecateAt")
    self.error_on_dryrun()
    amis = self.ec2_backend.amis
    if ami_id not in amis:
        raise InvalidAMIIdError(ami_id)
    # moto's query parser gives the timestamp shape as a datetime already.
    when = deprecate_at if isinstance(deprecate_at, datetime.datetime) else \
        datetime.datetime.fromisoformat(deprecate_at.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    rounded = (when + datetime.timedelta(seconds=30)).replace(second=0, microsecond=0)
    if rounded < datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0):
        raise EC2ClientError("InvalidParameterValue", f"DeprecateAt {deprecate_at} is in the past")
    amis[ami_id].deprecation_time = rounded.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return ActionResult({"Return": True})


_describe_images = AmisResponse.describe_images


def describe_images(self):
    result = _describe_images(self)
    if not _bool_param(self, "IncludeDisabled"):
        result.result["Images"] = [image for image in result.result["Images"] if image.state != "disabled"]
    return result


def _finding_values(finding, field):
    """The values of a finding that a FilterCriteria field compares with."""
    if field == "ec2InstanceImageId":
        return [
            resource.get("details", {}).get("awsEc2Instance", {}).get("imageId")
            for resource in finding.get("resources", [])
        ]
    if field == "findingStatus":
        return [finding.get("status")]
    if field == "severity":
        return [finding.get("severity")]
    raise NotImplementedError(f"ListFindings filter {field} is not emulated here")


def _matches(value, string_filter):
    comparison, expected = string_filter["comparison"], string_filter["value"]
    if comparison == "EQUALS":
        return value == expected
    if comparison == "NOT_EQUALS":
        return value != expected
    if comparison == "PREFIX":
        return isinstance(value, str) and value.startswith(expected)
    raise NotImplementedError(comparison)


def list_findings(self, filter_criteria, max_results, next_token, sort_criteria):
    # Each seeded batch is a list of findings (moto_api's set_inspector2_findings_result).
    findings = [finding for results in self.findings_queue for finding in results]
    selected = []
    for finding in findings:
        if all(
            any(_matches(value, string_filter) for value in _finding_values(finding, field) for string_filter in filters)
            for field, filters in (filter_criteria or {}).items()
        ):
            selected.append(finding)
    return selected[: int(max_results)] if max_results else selected


def backdate_parameter(request, full_url, headers):
    from moto.ssm.models import ssm_backends

    length = int(headers["Content-Length"])
    body = json.loads(request.environ["wsgi.input"].read(length).decode("utf-8"))
    backend = ssm_backends[body["account_id"]][body["region"]]
    shift = datetime.timedelta(hours=float(body["hours"]))
    for version in backend._parameters[body["name"]]:
        version.last_modified_date = version.last_modified_date - shift
    return 200, {}, ""


AmisResponse.enable_image_deprecation = enable_image_deprecation
AmisResponse.describe_images = describe_images
Inspector2Backend.list_findings = list_findings
moto_api_urls.url_paths["{0}/moto-api/golden-ami/backdate-parameter"] = backdate_parameter

if __name__ == "__main__":
    sys.exit(main())
