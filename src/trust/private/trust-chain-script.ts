/**
 * The trust chain's SSM Automation script: one Python 3.11 module run by `aws:executeScript`
 * (boto3 as the runtime provides it), with three handlers. It is a string constant so that it
 * ships in the npm package and in every jsii language's package, and the Automation documents
 * embed it as their `Script` input.
 *
 * - `promote`: checks the from-channel's AMI in every location (exists, available, not
 *   deprecated, not revoked, soaked, no blocking Inspector finding), then writes the to-channel
 *   in every location; nothing is written unless every location passes.
 * - `revoke`: deprecates and disables the AMI's copy in every location, rolls every channel that
 *   holds it back to its newest earlier good value (or deletes it), adds it to each location's
 *   revocation list and publishes one SNS message.
 * - `record_ancestry`: tags each child AMI with its parent and writes the ancestry record.
 *
 * Every handler can run again with the same input and then changes nothing.
 * Kept in a `String.raw` literal: Python's backslashes stay as written; the source contains no
 * backtick and no dollar-brace, which a template literal would interpret.
 *
 * test-trust/ runs it against moto server (`npx projen test:trust`).
 */
export const TRUST_CHAIN_SCRIPT: string = String.raw`"""Golden AMI trust chain: promote, revoke, record ancestry in every location of a golden image."""
import datetime
import json
import re

import boto3
from botocore.exceptions import ClientError

SESSION_NAME = 'golden-ami-trust-chain'
# EC2 image IDs: ami- and 8 or 17 hexadecimal digits.
AMI_ID = re.compile(r'^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$')
REGION = re.compile(r'^[a-z]{2}(?:-[a-z]+)+-[0-9]+$')
ACCOUNT = re.compile(r'^[0-9]{12}$')
# The one role a copy account grants the factory (GoldenImageDistributionTargetRole).
ROLE_ARN = re.compile(r'^arn:aws[a-z-]*:iam::([0-9]{12}):role/GoldenAmiTrustChainRole$')
TOPIC_ARN = re.compile(r'^arn:aws[a-z-]*:sns:([a-z0-9-]+):[0-9]{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$')
# SSM parameter names (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html):
# letters, digits, _ . - and /; the catalogue's names are hierarchical, so fully qualified.
PARAMETER_NAME = re.compile(r'^(?:/[A-Za-z0-9_.-]+)+$')
# A full build version ARN, the imageBuildVersionArn pattern of
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html without the wildcard forms.
IMAGE_BUILD_VERSION_ARN = re.compile(r'^arn:aws[^:]*:imagebuilder:[^:]+:[0-9]{12}:image/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$')
PIPELINE_ARN = re.compile(r'^arn:aws[^:]*:imagebuilder:[^:]+:[0-9]{12}:image-pipeline/[a-z0-9-_]+$')
# Inspector severities: the severity filter's values in the inspector2 API model
# (https://docs.aws.amazon.com/inspector/v2/APIReference/API_FilterCriteria.html).
SEVERITIES = ('INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNTRIAGED')
PARENT_AMI_TAG = 'golden-ami:parent-ami'
PARENT_PIPELINE_TAG = 'golden-ami:parent-pipeline'


class TrustChainError(Exception):
    """A refusal or a bad input: the automation step fails with this message."""


# ---- inputs -------------------------------------------------------------------------------

def _required(events, name):
    # A missing input is a wiring error in the Automation document: name it.
    if name not in events or events[name] is None:
        raise TrustChainError('input ' + name + ' is required')
    return events[name]


def _parameter_name(events, name):
    value = _required(events, name)
    if not isinstance(value, str) or len(value) > 1011 or not PARAMETER_NAME.match(value):
        raise TrustChainError(name + ' must be a fully qualified SSM parameter name (/a/b, letters, digits, _ . -), got: ' + repr(value))
    if value.split('/')[1].lower().startswith(('aws', 'ssm')):
        raise TrustChainError(name + ' must not start with aws or ssm, got: ' + repr(value))
    return value


def _ami_id(value, what):
    if not isinstance(value, str) or not AMI_ID.match(value):
        raise TrustChainError(what + ' must be an AMI ID (ami- and 8 or 17 hexadecimal digits), got: ' + repr(value))
    return value


def _reason(value):
    # The contract's rules: entries are <ami>=<reason> in a StringList, so no comma and no =.
    if not isinstance(value, str) or not 1 <= len(value) <= 200:
        raise TrustChainError('Reason must be 1 to 200 characters, got: ' + repr(value))
    if not value.isprintable() or ',' in value or '=' in value:
        raise TrustChainError('Reason must be printable, with no comma, no = and no line break, got: ' + repr(value))
    return value


def _string_list(events, name):
    # MapList/StringList inputs arrive as lists; a JSON string is accepted too.
    value = _required(events, name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise TrustChainError(name + ' must be a list, got: ' + repr(value)) from None
    if not isinstance(value, list):
        raise TrustChainError(name + ' must be a list, got: ' + repr(value))
    return value


def _locations(events):
    """The Locations input: the home location first, then every region/account of the image."""
    raw = _string_list(events, 'Locations')
    if not raw:
        raise TrustChainError('Locations must name at least the home location')
    locations, seen = [], set()
    for index, entry in enumerate(raw):
        where = 'Locations[' + str(index) + ']'
        if not isinstance(entry, dict) or set(entry) - {'Region', 'Account', 'RoleArn'}:
            raise TrustChainError(where + ' must be {"Region", "Account", "RoleArn"}, got: ' + repr(entry))
        region, account, role = entry.get('Region'), entry.get('Account'), entry.get('RoleArn') or ''
        if not isinstance(region, str) or not REGION.match(region):
            raise TrustChainError(where + '.Region must be a region name, got: ' + repr(region))
        if not isinstance(account, str) or not ACCOUNT.match(account):
            raise TrustChainError(where + '.Account must be a 12-digit account ID, got: ' + repr(account))
        if role:
            match = ROLE_ARN.match(role) if isinstance(role, str) else None
            if not match or match.group(1) != account:
                raise TrustChainError(where + '.RoleArn must be "" or arn:<partition>:iam::' + account + ':role/GoldenAmiTrustChainRole, got: ' + repr(role))
        if index == 0 and role:
            raise TrustChainError('Locations[0] is the home location and runs with the automation\'s own credentials: its RoleArn must be "", got: ' + repr(role))
        if (region, account) in seen:
            raise TrustChainError(where + ' repeats ' + region + '/' + account)
        seen.add((region, account))
        locations.append({'Region': region, 'Account': account, 'RoleArn': role})
    return locations


# ---- clients ------------------------------------------------------------------------------

_SESSION = []
_CREDENTIALS = {}
_CLIENTS = {}


def _session():
    # One session for every client: it parses each service's model once.
    if not _SESSION:
        _SESSION.append(boto3.session.Session())
    return _SESSION[0]


def _credentials(location):
    """Client credentials of a location: none (the automation's own) or its assumed role's."""
    role = location['RoleArn']
    if not role:
        return {}
    if role not in _CREDENTIALS:
        sts = _session().client('sts', region_name=location['Region'])
        credentials = sts.assume_role(RoleArn=role, RoleSessionName=SESSION_NAME)['Credentials']
        _CREDENTIALS[role] = {
            'aws_access_key_id': credentials['AccessKeyId'],
            'aws_secret_access_key': credentials['SecretAccessKey'],
            'aws_session_token': credentials['SessionToken'],
        }
    return _CREDENTIALS[role]


def _client(service, location):
    # One client per service and location: building a client costs more than most calls.
    key = (service, location['Region'], location['RoleArn'])
    if key not in _CLIENTS:
        _CLIENTS[key] = _session().client(service, region_name=location['Region'], **_credentials(location))
    return _CLIENTS[key]


def _where(location):
    return location['Region'] + '/' + location['Account']


# ---- catalogue ----------------------------------------------------------------------------

def _get_parameter(ssm, name):
    # A missing parameter is an empty channel or list, not an error.
    try:
        return ssm.get_parameter(Name=name)['Parameter']
    except ClientError as error:
        if error.response['Error']['Code'] == 'ParameterNotFound':
            return None
        raise


def _history(ssm, name):
    # Oldest first; SSM keeps the last 100 versions.
    versions = []
    for page in ssm.get_paginator('get_parameter_history').paginate(Name=name):
        versions.extend(page['Parameters'])
    return sorted(versions, key=lambda version: version['Version'])


def _revoked(ssm, name):
    """The location's revocation list as {ami: reason}; a missing parameter revokes nothing."""
    parameter = _get_parameter(ssm, name)
    entries = {}
    for entry in (parameter['Value'].split(',') if parameter else []):
        ami, _, reason = entry.partition('=')
        if ami:
            entries.setdefault(ami, reason)
    return entries


def _put_image_parameter(ssm, name, ami):
    # DataType aws:ec2:image makes SSM check the value is an AMI of this account and region
    # (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
    ssm.put_parameter(Name=name, Value=ami, Type='String', DataType='aws:ec2:image', Overwrite=True)


# ---- images -------------------------------------------------------------------------------

def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _time(value):
    # EC2 and Image Builder give ISO 8601 strings; SSM gives datetimes.
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _describe(ec2, **query):
    # Disabled and deprecated images are left out unless asked for ("A disabled AMI does not
    # appear in DescribeImages API calls by default",
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html).
    images = []
    for page in ec2.get_paginator('describe_images').paginate(IncludeDisabled=True, IncludeDeprecated=True, **query):
        images.extend(page['Images'])
    return images


def _image(ec2, ami):
    """The image, or None when it does not exist (deregistered or never there)."""
    try:
        images = _describe(ec2, ImageIds=[ami])
    except ClientError as error:
        if error.response['Error']['Code'] in ('InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'):
            return None
        raise
    return images[0] if images else None


def _is_deprecated(image, now):
    return bool(image.get('DeprecationTime')) and _time(image['DeprecationTime']) <= now


def _is_usable(image, now):
    # What a channel may hold: it exists, is available (not disabled) and not deprecated.
    return image is not None and image.get('State') == 'available' and not _is_deprecated(image, now)


def _deprecate_at(now):
    # EnableImageDeprecation: DeprecateAt cannot be in the past, and EC2 rounds seconds to the
    # nearest minute (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html):
    # the next whole minute is the earliest time that stays in the future after rounding.
    return now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)


# ---- promote ------------------------------------------------------------------------------

def _blocking_findings(location, ami, severities):
    # ListFindings' filter on the AMI of the finding's instance, ACTIVE only, of the blocking
    # severities; one match is enough to refuse
    # (https://docs.aws.amazon.com/inspector/v2/APIReference/API_FilterCriteria.html).
    inspector = _client('inspector2', location)
    response = inspector.list_findings(maxResults=10, filterCriteria={
        'ec2InstanceImageId': [{'comparison': 'EQUALS', 'value': ami}],
        'findingStatus': [{'comparison': 'EQUALS', 'value': 'ACTIVE'}],
        'severity': [{'comparison': 'EQUALS', 'value': severity} for severity in severities],
    })
    return [finding.get('findingArn', '?') + ' (' + finding.get('severity', '?') + ')' for finding in response.get('findings', [])]


def _check_promotion(location, source, revocations, soak_hours, severities, now):
    """One location's verdict: (refusal or None, soak remaining in hours or 0, AMI)."""
    ssm, ec2 = _client('ssm', location), _client('ec2', location)
    parameter = _get_parameter(ssm, source)
    if parameter is None:
        return source + ' does not exist', 0, None
    ami = parameter['Value']
    if not AMI_ID.match(ami):
        return source + ' holds ' + repr(ami) + ', not an AMI ID', 0, None
    revoked = _revoked(ssm, revocations)
    if ami in revoked:
        return ami + ' is revoked: ' + revoked[ami], 0, ami
    image = _image(ec2, ami)
    if image is None:
        return ami + ' does not exist', 0, ami
    if image.get('State') != 'available':
        return ami + ' is ' + str(image.get('State')), 0, ami
    if _is_deprecated(image, now):
        return ami + ' is deprecated since ' + image['DeprecationTime'], 0, ami
    # Every location's Inspector: the factory's holds the build's scan findings, a copy
    # account's those of the instances it runs on its copy (GoldenAmiTrustChainRole may list them).
    if severities:
        findings = _blocking_findings(location, ami, severities)
        if findings:
            return ami + ' has active Inspector findings: ' + ', '.join(findings), 0, ami
    age = (now - _time(parameter['LastModifiedDate'])).total_seconds() / 3600
    return None, max(0.0, soak_hours - age), ami


def promote(events, context):
    """Copies the from-channel's AMI to the to-channel in every location, or writes nothing."""
    locations = _locations(events)
    source = _parameter_name(events, 'FromParameter')
    target = _parameter_name(events, 'ToParameter')
    revocations = _parameter_name(events, 'RevocationListParameter')
    if target in (source, revocations):
        raise TrustChainError('ToParameter must differ from FromParameter and RevocationListParameter, got: ' + repr(target))
    soak_hours = _required(events, 'SoakHours')
    if isinstance(soak_hours, str):
        try:
            soak_hours = float(soak_hours)
        except ValueError:
            raise TrustChainError('SoakHours must be a number, got: ' + repr(soak_hours)) from None
    if isinstance(soak_hours, bool) or not isinstance(soak_hours, (int, float)) or not 0 <= soak_hours <= 8760:
        raise TrustChainError('SoakHours must be a number from 0 to 8760, got: ' + repr(soak_hours))
    severities = _string_list(events, 'BlockingSeverities')
    if len(severities) > 10 or any(severity not in SEVERITIES for severity in severities):
        raise TrustChainError('BlockingSeverities must be at most 10 of ' + ', '.join(SEVERITIES) + ', got: ' + repr(severities))

    # Every location is checked before anything is written.
    now = _now()
    refusals, soaking, amis = [], [], []
    for location in locations:
        refusal, remaining, ami = _check_promotion(location, source, revocations, float(soak_hours), severities, now)
        amis.append(ami)
        if refusal:
            refusals.append(_where(location) + ': ' + refusal)
        elif remaining > 0:
            soaking.append({'Region': location['Region'], 'Account': location['Account'], 'ImageId': ami, 'RemainingHours': round(remaining, 2)})
    if refusals:
        raise TrustChainError('promotion of ' + source + ' to ' + target + ' refused: ' + '; '.join(refusals))
    if soaking:
        return {'Status': 'Soaking', 'Locations': soaking}

    outcome = []
    for location, ami in zip(locations, amis):
        ssm = _client('ssm', location)
        current = _get_parameter(ssm, target)
        changed = current is None or current['Value'] != ami
        if changed:
            _put_image_parameter(ssm, target, ami)
        outcome.append({'Region': location['Region'], 'Account': location['Account'], 'ImageId': ami, 'Changed': changed})
    return {'Status': 'Promoted', 'Locations': outcome}


# ---- revoke -------------------------------------------------------------------------------

def _copies(location, name):
    # Image Builder names every copy like the home AMI; owner self, disabled and deprecated too.
    return _describe(_client('ec2', location), Owners=['self'], Filters=[{'Name': 'name', 'Values': [name]}])


def _retire(ec2, image, now):
    """Deprecates now and disables one copy; returns what changed."""
    changes = []
    deprecate_at = _deprecate_at(now)
    current = image.get('DeprecationTime')
    # A deprecation already due by the next minute stays; a later (lifecycle) one is brought forward.
    if not current or _time(current) > deprecate_at:
        ec2.enable_image_deprecation(ImageId=image['ImageId'], DeprecateAt=deprecate_at)
        changes.append('deprecated')
    # DisableImage removes launch permissions and makes the AMI unusable for launches
    # (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html).
    if image.get('State') != 'disabled':
        ec2.disable_image(ImageId=image['ImageId'])
        changes.append('disabled')
    return changes


def _roll_back(ssm, ec2, name, bad, revoked, now):
    """Moves a channel holding a revoked AMI to its newest earlier good value, or deletes it."""
    current = _get_parameter(ssm, name)
    if current is None or current['Value'] not in bad:
        return None
    for version in reversed(_history(ssm, name)):
        value = version['Value']
        if version['Version'] >= current['Version'] or value in bad or value in revoked or not AMI_ID.match(value):
            continue
        if _is_usable(_image(ec2, value), now):
            _put_image_parameter(ssm, name, value)
            return {'Parameter': name, 'Action': 'RolledBack', 'ImageId': value}
    ssm.delete_parameter(Name=name)
    return {'Parameter': name, 'Action': 'Deleted'}


def _add_revocations(ssm, name, amis, reason):
    # The StringList grows by one entry per copy; Intelligent-Tiering lets it pass the Standard
    # tier's 4 KB (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
    revoked = _revoked(ssm, name)
    missing = [ami for ami in amis if ami not in revoked]
    if not missing:
        return False
    parameter = _get_parameter(ssm, name)
    entries = (parameter['Value'].split(',') if parameter else []) + [ami + '=' + reason for ami in missing]
    ssm.put_parameter(Name=name, Value=','.join(entries), Type='StringList', Overwrite=True, Tier='Intelligent-Tiering')
    return True


def _revoke_location(location, images, channels, revocations, reason, now):
    ssm, ec2 = _client('ssm', location), _client('ec2', location)
    amis = [image['ImageId'] for image in images]
    outcome = {'Region': location['Region'], 'Account': location['Account'], 'ImageIds': amis, 'Images': [], 'Channels': []}
    # The revocation list first: it is what the compliance rule reads, so a run that fails
    # later has still flagged the AMI, and a rerun completes the rest.
    outcome['RevocationListChanged'] = bool(amis) and _add_revocations(ssm, revocations, amis, reason)
    for image in images:
        outcome['Images'].append({'ImageId': image['ImageId'], 'Changes': _retire(ec2, image, now)})
    revoked = _revoked(ssm, revocations)
    for channel in channels:
        moved = _roll_back(ssm, ec2, channel, set(amis), revoked, now)
        if moved:
            outcome['Channels'].append(moved)
    outcome['Changed'] = bool(outcome['Channels'] or outcome['RevocationListChanged'] or any(i['Changes'] for i in outcome['Images']))
    return outcome


def _notify(topic, ami, reason, outcome):
    # One message for the whole revocation, in the topic's region; the Subject stays ASCII and
    # under 100 characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
    region = TOPIC_ARN.match(topic).group(1)
    _session().client('sns', region_name=region).publish(
        TopicArn=topic,
        Subject=('Golden AMI revoked: ' + ami)[:99],
        Message=json.dumps({'ImageId': ami, 'Reason': reason, 'Locations': outcome}, indent=2, default=str),
    )


def revoke(events, context):
    """Revokes an AMI and its copies everywhere: deprecate, disable, out of channels, listed."""
    locations = _locations(events)
    ami = _ami_id(_required(events, 'ImageId'), 'ImageId')
    reason = _reason(_required(events, 'Reason'))
    channels = _string_list(events, 'ChannelParameters')
    if not channels:
        raise TrustChainError('ChannelParameters must name latest and every channel')
    channels = [_parameter_name({'ChannelParameters': channel}, 'ChannelParameters') for channel in channels]
    revocations = _parameter_name(events, 'RevocationListParameter')
    if revocations in channels:
        raise TrustChainError('RevocationListParameter must not be one of ChannelParameters, got: ' + repr(revocations))
    topic = _required(events, 'TopicArn')
    if topic and not (isinstance(topic, str) and TOPIC_ARN.match(topic)):
        raise TrustChainError('TopicArn must be "" or an SNS topic ARN, got: ' + repr(topic))

    # Find every copy first, so a bad input fails before anything changes.
    home = _image(_client('ec2', locations[0]), ami)
    if home is None:
        raise TrustChainError(ami + ' does not exist in ' + _where(locations[0]))
    if home.get('OwnerId') != locations[0]['Account']:
        raise TrustChainError(ami + ' is owned by ' + str(home.get('OwnerId')) + ', not by the home account ' + locations[0]['Account'])
    copies = [[home]] + [_copies(location, home['Name']) for location in locations[1:]]

    now = _now()
    outcome = [_revoke_location(location, images, channels, revocations, reason, now)
               for location, images in zip(locations, copies)]
    changed = any(location['Changed'] for location in outcome)
    # A second run changes nothing and so tells nobody again.
    notified = bool(topic) and changed
    if notified:
        _notify(topic, ami, reason, outcome)
    return {'ImageId': ami, 'Reason': reason, 'Changed': changed, 'Notified': notified, 'Locations': outcome}


# ---- record_ancestry ----------------------------------------------------------------------

def _value_at(ssm, name, when, location):
    """The parameter's value that was current at a time: the newest version not after it."""
    try:
        history = _history(ssm, name)
    except ClientError as error:
        if error.response['Error']['Code'] == 'ParameterNotFound':
            raise TrustChainError(name + ' does not exist in ' + _where(location)) from None
        raise
    current = [version for version in history if _time(version['LastModifiedDate']) <= when]
    if not current:
        raise TrustChainError(name + ' had no value in ' + _where(location) + ' at ' + when.isoformat())
    return current[-1]['Value']


def _child_amis(build_arn, locations):
    # GetImage: outputResources.amis lists the AMI in every region and account it was
    # distributed to, and dateCreated is when the build started
    # (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html,
    # https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_OutputResources.html).
    image = _client('imagebuilder', locations[0]).get_image(imageBuildVersionArn=build_arn)['image']
    created = _time(image['dateCreated'])
    amis = {}
    for ami in image.get('outputResources', {}).get('amis', []):
        amis[(ami.get('region'), ami.get('accountId') or locations[0]['Account'])] = ami.get('image')
    children = []
    for location in locations:
        child = amis.get((location['Region'], location['Account']))
        if not child:
            raise TrustChainError(build_arn + ' has no AMI in ' + _where(location))
        children.append(_ami_id(child, 'the AMI of ' + build_arn + ' in ' + _where(location)))
    return created, children


def record_ancestry(events, context):
    """Tags each child AMI with its parent and appends the ancestry record, in every location."""
    locations = _locations(events)
    build_arn = _required(events, 'ImageBuildVersionArn')
    if not isinstance(build_arn, str) or not IMAGE_BUILD_VERSION_ARN.match(build_arn):
        raise TrustChainError('ImageBuildVersionArn must be an image build version ARN, got: ' + repr(build_arn))
    parent_parameter = _parameter_name(events, 'ParentParameter')
    pipeline = _required(events, 'ParentPipelineArn')
    if not isinstance(pipeline, str) or not PIPELINE_ARN.match(pipeline):
        raise TrustChainError('ParentPipelineArn must be an image pipeline ARN, got: ' + repr(pipeline))
    ancestry = _parameter_name(events, 'AncestryParameter')

    # Every parent is resolved before anything is written.
    created, children = _child_amis(build_arn, locations)
    parents = [_ami_id(_value_at(_client('ssm', location), parent_parameter, created, location),
                       'the value of ' + parent_parameter + ' in ' + _where(location))
               for location in locations]

    outcome = []
    for location, child, parent in zip(locations, children, parents):
        ssm, ec2 = _client('ssm', location), _client('ec2', location)
        image = _image(ec2, child)
        if image is None:
            raise TrustChainError(child + ' does not exist in ' + _where(location))
        tags = {tag['Key']: tag['Value'] for tag in image.get('Tags', [])}
        wanted = {PARENT_AMI_TAG: parent, PARENT_PIPELINE_TAG: pipeline}
        tagged = any(tags.get(key) != value for key, value in wanted.items())
        if tagged:
            ec2.create_tags(Resources=[child], Tags=[{'Key': key, 'Value': value} for key, value in wanted.items()])
        record = json.dumps({'ami': child, 'parentAmi': parent, 'parentPipeline': pipeline, 'parentParameter': parent_parameter}, separators=(',', ':'))
        current = _get_parameter(ssm, ancestry)
        written = current is None or current['Value'] != record
        if written:
            ssm.put_parameter(Name=ancestry, Value=record, Type='String', Overwrite=True)
        outcome.append({'Region': location['Region'], 'Account': location['Account'], 'ImageId': child,
                        'ParentImageId': parent, 'Tagged': tagged, 'RecordWritten': written})
    return {'ImageBuildVersionArn': build_arn, 'Locations': outcome}
`;

/** The `Handler` input of `aws:executeScript` for each entry point of `TRUST_CHAIN_SCRIPT`. */
export const TRUST_CHAIN_HANDLERS = {
  PROMOTE: 'promote',
  REVOKE: 'revoke',
  RECORD_ANCESTRY: 'record_ancestry',
} as const;
