/**
 * Synth benchmark: cdk-golden-ami against the same infrastructure hand-written with
 * aws-cdk-lib L1 resources, at 1, 10, 50 and 100 golden images in one stack.
 *
 * Variants (every image: AL2023 parent, the AWS-managed `update-linux` component plus one
 * custom script component, distribution to eu-west-1 and eu-central-1, an AMI copy and an
 * SSM parameter in account 222222222222; no lifecycle policy):
 *
 *  - library: N x (ImageRecipe + GoldenImage). The images share the stack's default
 *    ImageBuildInfrastructure (role, instance profile, log bucket, encrypted topic).
 *  - l1: the same properties written with L1 resources, modelling per-image infrastructure
 *    the way imagebuilder-alpha's anchors create it: every image gets its own role,
 *    instance profile, infrastructure configuration, component, recipe, distribution,
 *    pipeline and log bucket (8 anchor resources; the TLS-only bucket also carries a
 *    bucket policy). Only the encrypted notification topic is shared, as in the library.
 *
 * For each variant and N we measure, over RUNS runs with a fresh App each time, the wall
 * time of construct creation plus `app.synth()` (process.hrtime.bigint, median reported),
 * and the process CPU time over the same span (process.cpuUsage), which other processes
 * competing for the cores disturb less. Runs alternate between the variants, after one
 * untimed warm-up synthesis of each at the largest N. The warm-up takes the one-off costs
 * out of the timings: module loading, JIT, and above all the first template validation in
 * the process, which initializes the validator's WebAssembly engine (seconds, whatever N;
 * a one-shot `cdk synth` pays it on top of the times reported here).
 * Both apps set '@aws-cdk/core:validateAgainstDefaultRules', so the timings include
 * aws-cdk-lib's built-in template validation, paid equally by both variants. Both also lift
 * aws-cdk-lib's 500-resources-per-stack check ('@aws-cdk/core:stackResourceLimit': 0) so
 * that per-image L1 code still synthesizes at large N; rows over CloudFormation's limit of
 * 500 resources per stack are flagged, as they would not deploy as one stack.
 * From the synthesized template we report its size (bytes of JSON.stringify), the number
 * of resources, resources and bytes per image, and the marginal resources per additional
 * image ((res(N) - res(1)) / (N - 1)).
 *
 * Output: a Markdown table on stdout, the same data in bench-results/synth.json, and
 * PASS/FAIL lines for the targets. It is a report, not a test: it always exits 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GoldenImage, ImageRecipe, RecipeComponent } from '../src';

const IMAGE_COUNTS = [1, 10, 50, 100];
const RUNS = 3;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const COPY_REGION = 'eu-central-1';
const COPY_ACCOUNT = '222222222222';
const SCRIPT = 'dnf install -y amazon-cloudwatch-agent';
/** Targets: the library adds at most this many resources per image... */
const TARGET_MARGINAL_RESOURCES = 5;
/** ...and synthesizes at most this much slower than L1 code, at the largest N. */
const TARGET_TIME_RATIO = 1.2;
/** CloudFormation's quota of resources per stack. */
const CFN_RESOURCE_LIMIT = 500;
const RESULTS_FILE = path.join(__dirname, '..', 'bench-results', 'synth.json');

type Variant = 'library' | 'l1';
type Builder = (stack: Stack, imageCount: number) => void;

interface Result {
  readonly variant: Variant;
  readonly images: number;
  readonly synthMsRuns: number[];
  readonly synthMsMedian: number;
  readonly cpuMsMedian: number;
  readonly templateBytes: number;
  readonly resources: number;
  /** False when the template has more resources than one CloudFormation stack may hold. */
  readonly withinStackResourceLimit: boolean;
  readonly resourcesPerImage: number;
  /** (res(N) - res(1)) / (N - 1); null at N = 1. */
  readonly marginalResourcesPerImage: number | null;
  readonly templateBytesPerImage: number;
  /** Library synth time / L1 synth time at this N; set on library rows only. */
  readonly timeRatioLibraryToL1: number | null;
}

// ---------------------------------------------------------------------------------------
// Variant (a): the library.
// ---------------------------------------------------------------------------------------

function buildLibrary(stack: Stack, imageCount: number): void {
  for (let i = 0; i < imageCount; i++) {
    const name = `golden-${i}`;
    const recipe = new ImageRecipe(stack, `Recipe${i}`, {
      recipeName: name,
      components: [
        RecipeComponent.awsManaged('update-linux'),
        RecipeComponent.fromScript({ name: 'cloudwatch-agent', script: SCRIPT }),
      ],
    });
    new GoldenImage(stack, `Image${i}`, {
      recipe,
      imageName: name,
      regions: [COPY_REGION],
      copyToAccounts: [COPY_ACCOUNT],
    });
  }
}

// ---------------------------------------------------------------------------------------
// Variant (b): hand-written L1 code with the same properties, per-image infrastructure.
// ---------------------------------------------------------------------------------------

/** The AWSTOE document the library generates for the script component, written out. */
const COMPONENT_DOCUMENT = [
  'name: "cloudwatch-agent"',
  'description: "cloudwatch-agent"',
  'schemaVersion: 1.0',
  'phases:',
  '  - name: build',
  '    steps:',
  '      - name: "cloudwatch-agent"',
  '        action: ExecuteBash',
  '        inputs:',
  '          commands:',
  '            - |-',
  '              set -euo pipefail',
  `              ${SCRIPT}`,
  '',
].join('\n');

/** The KMS-encrypted, TLS-only topic Image Builder notifies; one per stack, as in the library. */
function sharedTopic(scope: Construct): sns.ITopic {
  const key = new kms.Key(scope, 'TopicKey', {
    description: 'Golden AMI build notifications',
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'ImageBuilderPublishesNotifications',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder`,
      },
      StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` },
    },
  }));
  return new sns.Topic(scope, 'Topic', { displayName: 'Golden AMI builds', masterKey: key, enforceSSL: true });
}

/** One image with its own build infrastructure: 8 anchor resources (+ the bucket policy). */
function buildL1Image(scope: Construct, name: string, topic: sns.ITopic): void {
  const stack = Stack.of(scope);

  // 1. Log bucket: encrypted, TLS-only (adds an AWS::S3::BucketPolicy), private, expiring.
  const logBucket = new s3.Bucket(scope, 'LogBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // 2. Instance role, with the log write permission inline (no separate AWS::IAM::Policy).
  const role = new iam.Role(scope, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'Golden AMI build and test instances',
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
      iam.ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder'),
    ],
    inlinePolicies: {
      WriteBuildLogs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          // What the library's bucket.grantPut renders with this aws-cdk-lib's defaults.
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [logBucket.arnForObjects('imagebuilder-logs/*')],
        })],
      }),
    },
  });

  // 3. Instance profile.
  const instanceProfile = new iam.CfnInstanceProfile(scope, 'InstanceProfile', { roles: [role.roleName] });

  // 4. Infrastructure configuration: IMDSv2 only, terminate on failure, S3 logs, SNS.
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(scope, 'Infrastructure', {
    name,
    description: 'Golden AMI build infrastructure',
    instanceProfileName: instanceProfile.ref,
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
    terminateInstanceOnFailure: true,
    logging: { s3Logs: { s3BucketName: logBucket.bucketName, s3KeyPrefix: 'imagebuilder-logs' } },
    snsTopicArn: topic.topicArn,
  });

  // 5. The custom script component.
  const component = new imagebuilder.CfnComponent(scope, 'Component', {
    name: `${name}-cloudwatch-agent`,
    platform: 'Linux',
    version: '1.0.0',
    data: COMPONENT_DOCUMENT,
    description: 'cloudwatch-agent',
    changeDescription: 'content 1.0.0',
  });

  // 6. Recipe: AL2023, update-linux then the script, encrypted gp3 root, SSM agent kept.
  const recipe = new imagebuilder.CfnImageRecipe(scope, 'Recipe', {
    name,
    version: '1.0.0',
    parentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    components: [
      { componentArn: `arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/update-linux/x.x.x` },
      { componentArn: component.attrArn },
    ],
    blockDeviceMappings: [{
      deviceName: '/dev/xvda',
      ebs: { encrypted: true, deleteOnTermination: true, volumeSize: 8, volumeType: 'gp3' },
    }],
    additionalInstanceConfiguration: { systemsManagerAgent: { uninstallAfterBuild: false } },
  });

  // 7. Distribution: both regions, a copy in the other account, SSM parameters in both accounts.
  const ssmParameterName = `/golden-ami/${name}/latest`;
  const distribution = new imagebuilder.CfnDistributionConfiguration(scope, 'Distribution', {
    name,
    distributions: [stack.region, COPY_REGION].map(region => ({
      region,
      amiDistributionConfiguration: {
        Name: `${name}-{{ imagebuilder:buildDate }}`,
        AmiTags: { 'golden-ami:pipeline': name },
        TargetAccountIds: [stack.account, COPY_ACCOUNT],
      },
      ssmParameterConfigurations: [
        { parameterName: ssmParameterName, dataType: 'aws:ec2:image' },
        { amiAccountId: COPY_ACCOUNT, parameterName: ssmParameterName, dataType: 'aws:ec2:image' },
      ],
    })),
  });

  // 8. Pipeline: tests (12 h), Inspector scanning, enhanced metadata, tagged images.
  new imagebuilder.CfnImagePipeline(scope, 'Pipeline', {
    name,
    imageRecipeArn: recipe.attrArn,
    infrastructureConfigurationArn: infrastructure.attrArn,
    distributionConfigurationArn: distribution.attrArn,
    status: 'ENABLED',
    enhancedImageMetadataEnabled: true,
    imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 720 },
    imageScanningConfiguration: { imageScanningEnabled: true },
    imageTags: { 'golden-ami:pipeline': name },
  });
}

function buildL1(stack: Stack, imageCount: number): void {
  const topic = sharedTopic(new Construct(stack, 'Notifications'));
  for (let i = 0; i < imageCount; i++) {
    buildL1Image(new Construct(stack, `Image${i}`), `golden-${i}`, topic);
  }
}

// ---------------------------------------------------------------------------------------
// Measurement.
// ---------------------------------------------------------------------------------------

interface Run {
  readonly ms: number;
  readonly cpuMs: number;
  readonly template: { Resources?: Record<string, unknown> };
}

/** One timed synthesis in a fresh App: construct creation + app.synth(), validation included. */
function synthOnce(build: Builder, imageCount: number): Run {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const app = new App({
    context: {
      // aws-cdk-lib's built-in template validation, findings as errors: timed in both variants.
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      // No 500-resource check: per-image L1 code exceeds it past ~55 images (flagged in the output).
      '@aws-cdk/core:stackResourceLimit': 0,
    },
  });
  const stack = new Stack(app, 'Bench', { env: ENV });
  // ...and the same limit in the built-in validation rules (F0007: more than 500 resources).
  Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0007', reason: 'benchmark: synth cost past the stack limit' });
  build(stack, imageCount);
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);

  const template = assembly.getStackArtifact(stack.artifactId).template;
  fs.rmSync(assembly.directory, { recursive: true, force: true });
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, template };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (value: number, digits: number = 1): number => Number(value.toFixed(digits));

function main(): void {
  const builders: Record<Variant, Builder> = { library: buildLibrary, l1: buildL1 };
  const variants: Variant[] = ['library', 'l1'];

  // Warm up at the largest N, so that no timed run pays for one-off costs.
  variants.forEach(variant => synthOnce(builders[variant], Math.max(...IMAGE_COUNTS)));
  const loadBefore = os.loadavg()[0];

  const results: Result[] = [];
  const resourcesAtOne = new Map<Variant, number>();
  for (const images of IMAGE_COUNTS) {
    // Alternate the variants run by run, so drift (GC, thermal) hits both alike.
    const runs: Record<Variant, Run[]> = { library: [], l1: [] };
    for (let run = 0; run < RUNS; run++) {
      variants.forEach(variant => runs[variant].push(synthOnce(builders[variant], images)));
    }
    const medians = { library: median(runs.library.map(r => r.ms)), l1: median(runs.l1.map(r => r.ms)) };
    for (const variant of variants) {
      const template = runs[variant][0].template;
      const templateBytes = Buffer.byteLength(JSON.stringify(template));
      const resources = Object.keys(template.Resources ?? {}).length;
      if (images === 1) resourcesAtOne.set(variant, resources);
      const atOne = resourcesAtOne.get(variant);
      results.push({
        variant,
        images,
        synthMsRuns: runs[variant].map(r => round(r.ms)),
        synthMsMedian: round(medians[variant]),
        cpuMsMedian: round(median(runs[variant].map(r => r.cpuMs))),
        templateBytes,
        resources,
        withinStackResourceLimit: resources <= CFN_RESOURCE_LIMIT,
        resourcesPerImage: round(resources / images, 2),
        marginalResourcesPerImage: images > 1 && atOne !== undefined ? round((resources - atOne) / (images - 1), 2) : null,
        templateBytesPerImage: Math.round(templateBytes / images),
        timeRatioLibraryToL1: variant === 'library' ? round(medians.library / medians.l1, 2) : null,
      });
    }
    process.stderr.write(`  N=${images}: library ${round(medians.library)} ms, l1 ${round(medians.l1)} ms\n`);
  }

  const load = { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) };
  printTable(results, load);
  const verdicts = printTargets(results);
  writeJson(results, verdicts, load);
}

// ---------------------------------------------------------------------------------------
// Reporting.
// ---------------------------------------------------------------------------------------

/** The 1-minute load average before and after the timed runs: above the CPU count, timings are noisy. */
interface Load {
  readonly before: number;
  readonly after: number;
}

function printTable(results: Result[], load: Load): void {
  const dash = (value: number | null): string => (value === null ? '—' : String(value));
  const lines = [
    `## Synth benchmark: cdk-golden-ami vs hand-written L1 (median of ${RUNS} runs, fresh App each, validation on)`,
    '',
    `Node ${process.version}, aws-cdk-lib ${cdkVersion()}, ${os.cpus().length} CPUs, `
      + `1-min load average ${load.before} before and ${load.after} after the timed runs.`,
    'The l1 variant models per-image infrastructure as the imagebuilder-alpha anchors create it:',
    '8 resources per image (role, instance profile, infrastructure configuration, component, recipe,',
    'distribution, pipeline, log bucket) plus the log bucket\'s TLS-only bucket policy; the KMS-encrypted',
    'topic is shared per stack in both variants.',
    `Resources marked * exceed CloudFormation's ${CFN_RESOURCE_LIMIT} resources per stack: synthesized with`,
    'aws-cdk-lib\'s resource-limit check lifted, they would not deploy as one stack.',
    '',
    '| N | variant | synth ms | CPU ms | template bytes | resources | resources/image | marginal res/image | bytes/image | lib/L1 time |',
    '|--:|:--|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map(r => `| ${r.images} | ${r.variant} | ${r.synthMsMedian} | ${r.cpuMsMedian} | ${r.templateBytes} | ${r.resources}${r.withinStackResourceLimit ? '' : '*'} | `
      + `${r.resourcesPerImage} | ${dash(r.marginalResourcesPerImage)} | ${r.templateBytesPerImage} | ${dash(r.timeRatioLibraryToL1)} |`),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

interface Verdicts {
  readonly marginalResources: { value: number | null; target: number; pass: boolean };
  readonly timeRatio: { value: number | null; target: number; pass: boolean };
}

function printTargets(results: Result[]): Verdicts {
  const largest = Math.max(...IMAGE_COUNTS);
  const library = results.find(r => r.variant === 'library' && r.images === largest);
  const marginal = library?.marginalResourcesPerImage ?? null;
  const ratio = library?.timeRatioLibraryToL1 ?? null;
  const verdicts: Verdicts = {
    marginalResources: { value: marginal, target: TARGET_MARGINAL_RESOURCES, pass: marginal !== null && marginal <= TARGET_MARGINAL_RESOURCES },
    timeRatio: { value: ratio, target: TARGET_TIME_RATIO, pass: ratio !== null && ratio <= TARGET_TIME_RATIO },
  };
  const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
  process.stdout.write([
    `${verdict(verdicts.marginalResources.pass)}: library marginal resources per image at N=${largest} = ${marginal} (target <= ${TARGET_MARGINAL_RESOURCES})`,
    `${verdict(verdicts.timeRatio.pass)}: library/L1 synth time ratio at N=${largest} = ${ratio} (target <= ${TARGET_TIME_RATIO})`,
    '',
  ].join('\n'));
  return verdicts;
}

function writeJson(results: Result[], verdicts: Verdicts, load: Load): void {
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify({
    generatedAt: new Date().toISOString(),
    node: process.version,
    awsCdkLib: cdkVersion(),
    cpus: os.cpus().length,
    loadAverage1m: load,
    runsPerMeasurement: RUNS,
    validateAgainstDefaultRules: true,
    l1Model: 'per-image infrastructure as the imagebuilder-alpha anchors create it: 8 resources per image '
      + '(role, instance profile, infrastructure configuration, component, recipe, distribution, pipeline, log bucket) '
      + '+ the log bucket policy; topic shared per stack',
    targets: verdicts,
    results,
  }, undefined, 2) + '\n');
  process.stdout.write(`Results written to ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
}

function cdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('aws-cdk-lib/package.json') as { version: string }).version;
}

main();
