import { ComponentPhase, RecipeComponent } from '../component';
import { LogShippingAgent } from './log-shipping-agent';

/**
 * The build steps of an ECS application image, as bash that finds the distribution's
 * package manager at build time: the parent golden image may be any Linux family.
 */

const DOCKER = `if command -v dnf >/dev/null 2>&1; then
  dnf install -y docker
elif command -v yum >/dev/null 2>&1; then
  yum install -y docker
elif command -v apt-get >/dev/null 2>&1; then
  apt-get update -y
  DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io
else
  echo "Docker: no supported package manager" >&2
  exit 1
fi
systemctl enable docker`;

/**
 * The ECS agent is installed and enabled but neither started nor given a cluster: the
 * cluster is written to /etc/ecs/ecs.config at boot, so one image serves every cluster.
 */
const ECS_AGENT = `if command -v dnf >/dev/null 2>&1 && dnf list --available ecs-init >/dev/null 2>&1; then
  dnf install -y ecs-init
elif command -v yum >/dev/null 2>&1 && yum list available ecs-init >/dev/null 2>&1; then
  yum install -y ecs-init
else
  # Other distributions: the ecs-init package AWS publishes in each region.
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
  region=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
  case "$(uname -m)" in
    x86_64) deb_arch=amd64; rpm_arch=x86_64 ;;
    aarch64) deb_arch=arm64; rpm_arch=aarch64 ;;
    *) echo "ECS agent: unsupported architecture $(uname -m)" >&2; exit 1 ;;
  esac
  base="https://s3.$region.amazonaws.com/amazon-ecs-agent-$region"
  if command -v apt-get >/dev/null 2>&1; then
    curl -fsSLo /tmp/ecs-init.deb "$base/amazon-ecs-init-latest.$deb_arch.deb"
    DEBIAN_FRONTEND=noninteractive apt-get install -y /tmp/ecs-init.deb
    rm -f /tmp/ecs-init.deb
  else
    curl -fsSLo /tmp/ecs-init.rpm "$base/amazon-ecs-init-latest.$rpm_arch.rpm"
    "$(command -v dnf || command -v yum)" install -y /tmp/ecs-init.rpm
    rm -f /tmp/ecs-init.rpm
  fi
fi
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
    script: `systemctl is-active --quiet docker || { echo "Docker is not running" >&2; exit 1; }
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
