import { LogShippingAgent } from './log-shipping-agent';
import { ComponentPhase, RecipeComponent } from '../component';
import { OperatingSystem, OperatingSystemFamily } from '../hardened/operating-system';
import { ECS_AGENT_NAMES, SERVICE_ENDPOINTS } from '../private/aws-catalogue';

/**
 * The build steps of an ECS application image, as bash that finds the distribution family
 * from /etc/os-release at build time: the parent golden image may be any of the Linux
 * families below, and a parent given by SSM parameter or image ARN says nothing at synth.
 *
 * - Amazon Linux 2023: docker and ecs-init from the core repositories, as AWS documents in
 *   https://docs.aws.amazon.com/linux/al2023/ug/ecs.html ("AL2023 includes these packages
 *   in the core repositories").
 * - Amazon Linux 2: the `ecs` Extras topic, with the `docker` topic disabled because the
 *   `ecs` topic ships its own Docker, as the ECS developer guide documents
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-install.html,
 *   "Installing the Amazon ECS container agent on an Amazon Linux 2 EC2 instance"). Docker
 *   therefore also comes from that topic.
 * - Debian and Ubuntu: the distribution's docker.io, and the ECS init .deb from the regional
 *   S3 bucket, the procedure of the same page for a non-Amazon Linux instance.
 * - RHEL: refused. RHEL 9's repositories ship Podman, Buildah and Skopeo, not Docker
 *   (https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9/html/considerations_in_adopting_rhel_9/assembly_containers_considerations-in-adopting-rhel-9);
 *   Docker documents Docker Engine on RHEL only from Docker's own rpm repository, after
 *   removing podman and runc (https://docs.docker.com/engine/install/rhel/), a third-party
 *   repository this library does not add to an image.
 * Any other distribution is refused too, naming what it found.
 */

/** The operating system families an ECS application image is built on. */
const SUPPORTED_FAMILIES: OperatingSystemFamily[] = [OperatingSystemFamily.AMAZON_LINUX, OperatingSystemFamily.UBUNTU];

/**
 * Throws when an ECS application image cannot be built on a parent of `os` (known at synth
 * when the parent is a GoldenImage of a HardenedBaseRecipe).
 */
export function checkParentOperatingSystem(os: OperatingSystem, parentPath: string): void {
  if (SUPPORTED_FAMILIES.includes(os.family)) return;
  const why = os.family === OperatingSystemFamily.RHEL
    ? `${os.displayName} ships no Docker engine in its repositories (Podman instead) and Docker Engine for RHEL comes only from Docker's own repository, which this library does not add`
    : `${os.displayName} is not a Linux family the ECS build steps support`;
  throw new Error(`parent must be a golden image of Amazon Linux 2023, Amazon Linux 2 or Ubuntu for an ECS application image: ${why}. Got a golden image of operatingSystem '${os.id}': '${parentPath}'`);
}

/** A catalogue name with its `<region>` and `<arch>` placeholders as shell variables. */
function shellName(name: string, arch: string): string {
  return name.replace(/<region>/g, '$region').replace(/<arch>/g, `$${arch}`);
}

const ECS_INIT = ECS_AGENT_NAMES.ECS_INIT_PACKAGE.name;
const ECS_TOPIC = ECS_AGENT_NAMES.ECS_EXTRAS_TOPIC.name;
const DOCKER_TOPIC = ECS_AGENT_NAMES.DOCKER_EXTRAS_TOPIC.name;
const AL2023_DOCKER = ECS_AGENT_NAMES.DOCKER_PACKAGE.name;
/** `https://s3.<region>.amazonaws.com/amazon-ecs-agent-<region>/amazon-ecs-init-latest.<arch>.deb` */
const ECS_INIT_DEB_URL = `https://${shellName(SERVICE_ENDPOINTS.S3_REGIONAL.name, 'deb_arch')}/${shellName(ECS_AGENT_NAMES.ECS_INIT_DEB.name, 'deb_arch')}`;

/**
 * Sets `family` to al2023, al2 or debian from /etc/os-release, or fails naming what it found.
 * `what` names the step in the message.
 */
function osFamily(what: string): string {
  return `# shellcheck source=/dev/null
os_release=$(. /etc/os-release && echo "\${ID:-}:\${VERSION_ID:-}:\${ID_LIKE:-}")
IFS=: read -r os_id os_version os_like <<<"$os_release"
case "$os_id:$os_version" in
  amzn:2023) family=al2023 ;;
  amzn:2) family=al2 ;;
  debian:*|ubuntu:*) family=debian ;;
  rhel:*)
    echo "${what}: RHEL $os_version ships no Docker engine (Podman instead); the ECS application image supports Amazon Linux 2023, Amazon Linux 2, Debian and Ubuntu parents" >&2
    exit 1 ;;
  *)
    case " $os_like " in
      *" debian "*) family=debian ;;
      *) echo "${what}: unsupported distribution '$os_id' '$os_version' (ID_LIKE '$os_like'); supported: Amazon Linux 2023, Amazon Linux 2, Debian, Ubuntu" >&2; exit 1 ;;
    esac ;;
esac`;
}

/**
 * Amazon Linux 2: the ECS agent's Extras topic with the Docker it ships, the \`docker\` topic
 * disabled first so that the two never mix (both steps run it; the second run changes nothing).
 */
const AL2_ECS_TOPIC = `amazon-linux-extras disable ${DOCKER_TOPIC}
amazon-linux-extras install -y ${ECS_TOPIC}`;

const DOCKER = `${osFamily('Docker')}
case "$family" in
  al2023)
    dnf install -y ${AL2023_DOCKER} ;;
  al2)
    ${AL2_ECS_TOPIC.split('\n').join('\n    ')} ;;
  debian)
    apt-get update -y
    DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io ;;
esac
systemctl enable docker`;

/**
 * The ECS agent is installed and enabled but neither started nor given a cluster: the
 * cluster is written to /etc/ecs/ecs.config at boot, so one image serves every cluster.
 */
const ECS_AGENT = `${osFamily('ECS agent')}
case "$family" in
  al2023)
    dnf install -y ${ECS_INIT} ;;
  al2)
    ${AL2_ECS_TOPIC.split('\n').join('\n    ')} ;;
  debian)
    # The ecs-init package AWS publishes in each region, for non-Amazon Linux instances.
    token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
    region=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
    case "$(uname -m)" in
      x86_64) deb_arch=amd64 ;;
      aarch64) deb_arch=arm64 ;;
      *) echo "ECS agent: unsupported architecture $(uname -m)" >&2; exit 1 ;;
    esac
    curl -fsSLo /tmp/ecs-init.deb "${ECS_INIT_DEB_URL}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y /tmp/ecs-init.deb
    rm -f /tmp/ecs-init.deb ;;
esac
install -d -m 0755 /etc/ecs
cat > /etc/ecs/ecs.config <<'CONF'
ECS_ENABLE_TASK_IAM_ROLE=true
ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true
ECS_AWSVPC_BLOCK_IMDS=true
ECS_LOGLEVEL=info
CONF
systemctl enable ecs
# No state from the build instance may reach the image: the agent registers at first boot.
systemctl stop ecs >/dev/null 2>&1 || true
rm -rf /var/lib/ecs/data/*`;

const SSM_AGENT = `if systemctl list-unit-files amazon-ssm-agent.service >/dev/null 2>&1 && systemctl cat amazon-ssm-agent >/dev/null 2>&1; then
  systemctl enable amazon-ssm-agent
elif command -v snap >/dev/null 2>&1; then
  snap list amazon-ssm-agent >/dev/null 2>&1 || snap install amazon-ssm-agent --classic
  snap start --enable amazon-ssm-agent
elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
  "$(command -v dnf || command -v yum)" install -y amazon-ssm-agent
  systemctl enable amazon-ssm-agent
else
  echo "SSM agent: no supported way to install it" >&2
  exit 1
fi`;

const ANSIBLE_INSTALL = `# Ansible is for the build only; its removal step runs after the playbooks.
if command -v ansible-playbook >/dev/null 2>&1; then
  echo "ansible-playbook already present; it is kept"
  touch /var/tmp/golden-ami-ansible-preinstalled
elif command -v dnf >/dev/null 2>&1; then
  dnf install -y ansible-core
elif command -v yum >/dev/null 2>&1; then
  yum install -y ansible-core || amazon-linux-extras install -y ansible2
elif command -v apt-get >/dev/null 2>&1; then
  apt-get update -y
  DEBIAN_FRONTEND=noninteractive apt-get install -y ansible-core
else
  echo "Ansible: no supported package manager" >&2
  exit 1
fi`;

const ANSIBLE_REMOVE = `if [ -e /var/tmp/golden-ami-ansible-preinstalled ]; then
  rm -f /var/tmp/golden-ami-ansible-preinstalled
elif command -v dnf >/dev/null 2>&1; then
  dnf remove -y ansible-core
elif command -v yum >/dev/null 2>&1; then
  yum remove -y ansible-core ansible
elif command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get remove -y --purge ansible-core
  DEBIAN_FRONTEND=noninteractive apt-get autoremove -y
fi`;

function ssmAgentActiveCheck(): string {
  return `if systemctl cat amazon-ssm-agent >/dev/null 2>&1; then
  systemctl is-active --quiet amazon-ssm-agent || { echo "SSM agent is not running" >&2; exit 1; }
else
  systemctl is-active --quiet snap.amazon-ssm-agent.amazon-ssm-agent || { echo "SSM agent is not running" >&2; exit 1; }
fi`;
}

function logAgentCheck(agent: LogShippingAgent): string {
  // The CloudWatch agent runs once given its configuration (fetch-config at boot); the
  // others start with the configuration their package ships.
  const running = agent.serviceName === 'amazon-cloudwatch-agent'
    ? 'amazon-cloudwatch-agent-ctl -a status >/dev/null || { echo "CloudWatch agent is not installed" >&2; exit 1; }'
    : `systemctl is-active --quiet ${agent.serviceName} || { echo "${agent.serviceName} is not running" >&2; exit 1; }`;
  return running;
}

/** Docker, the ECS agent and the SSM agent. */
export function platformComponents(): RecipeComponent[] {
  return [
    RecipeComponent.fromScript({ name: 'docker', description: 'Install and enable the Docker engine', script: DOCKER }),
    RecipeComponent.fromScript({ name: 'ecs-agent', description: 'Install and enable the ECS container agent, unregistered', script: ECS_AGENT }),
    RecipeComponent.fromScript({ name: 'ssm-agent', description: 'Keep the SSM agent installed and enabled', script: SSM_AGENT }),
  ];
}

/** Installs Ansible before the playbooks. */
export function ansibleInstallComponent(): RecipeComponent {
  return RecipeComponent.fromScript({ name: 'ansible-install', description: 'Install Ansible for the build', script: ANSIBLE_INSTALL });
}

/** Removes Ansible after the playbooks, unless the parent image already had it. */
export function ansibleRemoveComponent(): RecipeComponent {
  return RecipeComponent.fromScript({ name: 'ansible-remove', description: 'Remove the Ansible installed for the build', script: ANSIBLE_REMOVE });
}

/** The test phase: on an instance launched from the new image. */
export function applicationImageTests(agent: LogShippingAgent): RecipeComponent {
  return RecipeComponent.fromScript({
    name: 'ecs-application-tests',
    description: 'Docker runs a container; the ECS, log and SSM agents are in place',
    phase: ComponentPhase.TEST,
    // The test phase can start while Docker is still starting after boot: wait for it (5 minutes), then judge.
    script: `for _ in $(seq 150); do
  state=$(systemctl is-active docker || true)
  if [ "$state" != activating ]; then break; fi
  sleep 2
done
[ "$state" = active ] || { echo "Docker is not running ($state)" >&2; systemctl status docker --no-pager >&2 || true; exit 1; }
docker run --rm public.ecr.aws/docker/library/busybox:stable echo golden-ami-container-ok | grep -q golden-ami-container-ok
systemctl is-enabled --quiet ecs || { echo "ECS agent is not enabled" >&2; exit 1; }
if grep -q '^ECS_CLUSTER=' /etc/ecs/ecs.config; then
  echo "The image must not be bound to a cluster" >&2
  exit 1
fi
systemctl is-enabled --quiet ${agent.serviceName} || { echo "${agent.serviceName} is not enabled" >&2; exit 1; }
${logAgentCheck(agent)}
${ssmAgentActiveCheck()}`,
  });
}
