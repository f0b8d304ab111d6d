import { RecipeComponent } from '../component';
import { ImagePlatform } from '../platform';
import { managedComponent } from '../private/aws-catalogue';

/**
 * The agent that ships container and host logs off an ECS instance.
 */
export enum LogShippingAgentType {
  /** Fluent Bit, from the Fluent Bit package repository. */
  FLUENT_BIT = 'fluent-bit',
  /** The Amazon CloudWatch agent, through the AWS-managed component. */
  CLOUDWATCH_AGENT = 'amazon-cloudwatch-agent',
  /** Logstash, from the Elastic package repository. */
  LOGSTASH = 'logstash',
}

const FLUENT_BIT_INSTALL = `# Fluent Bit from its own package repository: distribution packages lag behind.
if command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
  pm=$(command -v dnf || command -v yum)
  # shellcheck source=/dev/null
  . /etc/os-release
  case "$ID" in
    amzn) repo_path="amazonlinux/$VERSION_ID" ;;
    rhel|rocky|almalinux|centos) repo_path="centos/\${VERSION_ID%%.*}" ;;
    *) echo "Fluent Bit: unsupported distribution $ID" >&2; exit 1 ;;
  esac
  cat > /etc/yum.repos.d/fluent-bit.repo <<REPO
[fluent-bit]
name=Fluent Bit
baseurl=https://packages.fluentbit.io/$repo_path/
gpgcheck=1
gpgkey=https://packages.fluentbit.io/fluentbit.key
enabled=1
REPO
  "$pm" install -y fluent-bit
elif command -v apt-get >/dev/null 2>&1; then
  # shellcheck source=/dev/null
  . /etc/os-release
  install -d -m 0755 /usr/share/keyrings
  curl -fsSL https://packages.fluentbit.io/fluentbit.key | gpg --dearmor -o /usr/share/keyrings/fluentbit-keyring.gpg
  echo "deb [signed-by=/usr/share/keyrings/fluentbit-keyring.gpg] https://packages.fluentbit.io/$ID/$VERSION_CODENAME $VERSION_CODENAME main" > /etc/apt/sources.list.d/fluent-bit.list
  apt-get update -y
  DEBIAN_FRONTEND=noninteractive apt-get install -y fluent-bit
else
  echo "Fluent Bit: no supported package manager" >&2
  exit 1
fi
systemctl enable fluent-bit`;

const LOGSTASH_INSTALL = `# Logstash from the Elastic repository, with the JDK it bundles.
if command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
  pm=$(command -v dnf || command -v yum)
  rpm --import https://artifacts.elastic.co/GPG-KEY-elasticsearch
  cat > /etc/yum.repos.d/elastic.repo <<'REPO'
[elastic-8.x]
name=Elastic repository for 8.x packages
baseurl=https://artifacts.elastic.co/packages/8.x/yum
gpgcheck=1
gpgkey=https://artifacts.elastic.co/GPG-KEY-elasticsearch
enabled=1
REPO
  "$pm" install -y logstash
elif command -v apt-get >/dev/null 2>&1; then
  install -d -m 0755 /usr/share/keyrings
  curl -fsSL https://artifacts.elastic.co/GPG-KEY-elasticsearch | gpg --dearmor -o /usr/share/keyrings/elastic-keyring.gpg
  echo "deb [signed-by=/usr/share/keyrings/elastic-keyring.gpg] https://artifacts.elastic.co/packages/8.x/apt stable main" > /etc/apt/sources.list.d/elastic-8.x.list
  apt-get update -y
  DEBIAN_FRONTEND=noninteractive apt-get install -y logstash
else
  echo "Logstash: no supported package manager" >&2
  exit 1
fi
systemctl enable logstash`;

/**
 * The log shipping agent of an ECS application image (Linux, like every ECS application
 * image's parent): installed and enabled in the build, checked in the image's test phase. Its configuration (where logs go) is the user's, for
 * example as an Ansible playbook or a component of their own.
 */
export class LogShippingAgent {
  /** Fluent Bit (service `fluent-bit`). */
  public static fluentBit(): LogShippingAgent {
    return new LogShippingAgent(LogShippingAgentType.FLUENT_BIT, 'fluent-bit');
  }

  /** The Amazon CloudWatch agent (service `amazon-cloudwatch-agent`). */
  public static cloudWatchAgent(): LogShippingAgent {
    return new LogShippingAgent(LogShippingAgentType.CLOUDWATCH_AGENT, 'amazon-cloudwatch-agent');
  }

  /** Logstash (service `logstash`). */
  public static logstash(): LogShippingAgent {
    return new LogShippingAgent(LogShippingAgentType.LOGSTASH, 'logstash');
  }

  /** Which agent. */
  public readonly type: LogShippingAgentType;

  /** The systemd service the agent runs as. */
  public readonly serviceName: string;

  private constructor(type: LogShippingAgentType, serviceName: string) {
    this.type = type;
    this.serviceName = serviceName;
  }

  /**
   * The components that install and enable the agent.
   */
  public installComponents(): RecipeComponent[] {
    switch (this.type) {
      case LogShippingAgentType.CLOUDWATCH_AGENT:
        return [
          RecipeComponent.awsManaged(managedComponent('cloudWatchAgent', ImagePlatform.LINUX).name),
          RecipeComponent.fromScript({ name: 'cloudwatch-agent-enable', description: 'Enable the CloudWatch agent at boot', script: 'systemctl enable amazon-cloudwatch-agent' }),
        ];
      case LogShippingAgentType.FLUENT_BIT:
        return [RecipeComponent.fromScript({ name: 'fluent-bit', description: 'Install and enable Fluent Bit', script: FLUENT_BIT_INSTALL })];
      default:
        return [RecipeComponent.fromScript({ name: 'logstash', description: 'Install and enable Logstash', script: LOGSTASH_INSTALL })];
    }
  }
}
