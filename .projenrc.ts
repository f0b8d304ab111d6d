import { awscdk, javascript, release } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-golden-ami',
  description: 'Golden AMI pipelines as CDK constructs: hardened EC2 Image Builder recipes, distribution to accounts, OUs and regions, SSM parameter catalogs and AWS Config compliance.',
  author: 'cdk-golden-ami developers',
  authorAddress: 'cdk-golden-ami@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-golden-ami/cdk-golden-ami.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'golden-ami', 'imagebuilder', 'ami', 'ec2', 'aws-config', 'landing-zone'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',

  // Minimum aws-cdk-lib: 2.240.0, the same in all four packages (npm peer range, Python
  // `aws-cdk-lib>=`, the Maven range, Go's go.mod), proved by `npx projen test:min-cdk`
  // (scripts/synth-min-cdk.sh: src/ and examples/ type-checked against it, the examples
  // synthesized with it and with the dev version, both cfn-lint clean, templates equal) and
  // by `npx projen package:go` (the Go module generated against it and built with it, and
  // built with the dev version's awscdk).
  // Go sets it, with constructs ^10.5.1: awscdk Go modules built against constructs 10.4
  // do not compile with constructs-go 10.5, whose IConstruct gained `With` (measured:
  // awscdk v2.185.0 + constructs-go v10.5.1, "ambiguous selector With" in awslambda), and
  // bindings generated against constructs 10.4 would break the same way with any newer
  // awscdk. 2.239.0 is the first awscdk whose go.mod requires constructs-go v10.5.0
  // (2.238.0: v10.4.5); the Go checksum database this CI reaches has no entry for 2.239.0,
  // so the first release it can build and prove is 2.240.0. TypeScript alone works from
  // 2.185.0 (measured the same way: the templates then differ only by aws-cdk-lib's own ECS
  // IMDS-blocking user data, removed in 2.233.0).
  // L1 properties, measured on the published packages (each L1 built with the property
  // set, synthesized): the first release whose L1 renders it with CloudFormation's keys is
  //   DistributionConfiguration Distributions[].SsmParameterConfigurations  2.195.0
  //     (2.185.0 passes it through untyped, with camelCase keys; 2.190.0-2.194.0 drop it)
  //   ImagePipeline Schedule.AutoDisablePolicy, ImageRecipe AmiTags         2.220.0
  //   ImagePipeline ImageTags                                               2.262.0
  //   ImagePipeline Schedule.Timezone                                       2.264.0
  //   ImagePipeline ImageScanningConfiguration.ImageScanningTypes and
  //     .ScanResultCondition                                                2.276.0
  // and every other property the library sets (lifecycle policy, recipe, infrastructure,
  // component, Config, StackSet, SSM document, ECS L1s) already in 2.185.0. The four
  // pipeline properties 2.240.0 does not type are written with `addPropertyOverride` and
  // CloudFormation's keys, which every version renders the same.
  cdkVersion: '2.240.0',
  // Tests run against a current aws-cdk-lib, whose built-in template validation
  // (`@aws-cdk/core:validateAgainstDefaultRules`) makes every schema finding an error;
  // the peer range stays at the minimum above.
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    'aws-cdk-lib@2.276.0',
    'constructs@10.5.1',
    'cdk-nag@^3.0.2',
    'yaml@^2.8.0',
    // Property-based tests of the constructs' props (test/fuzz/).
    'fast-check@^4',
    // Used by Lambda handlers at run time (provided by the Lambda runtime) and by their tests.
    '@aws-sdk/client-auto-scaling',
    '@aws-sdk/client-config-service',
    '@aws-sdk/client-ec2',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-ssm',
    '@aws-sdk/client-sts',
    '@smithy/node-http-handler',
    '@types/aws-lambda',
  ],

  // Lambda handlers (`src/**/*.lambda.ts`) are bundled by esbuild into `assets/`, with the
  // AWS SDK v3 left to the runtime's copy.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: { externals: ['@aws-sdk/*'], sourcemap: true },
  },

  publishToPypi: {
    distName: 'cdk-golden-ami',
    module: 'cdk_golden_ami',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkgoldenami',
    mavenGroupId: 'io.github.cdk-golden-ami',
    mavenArtifactId: 'cdk-golden-ami',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-golden-ami/cdk-golden-ami-go',
    packageName: 'cdkgoldenami',
  },

  // Releases: a maintainer starts the release workflow (workflow_dispatch); it bumps the
  // version from the conventional commits since the last `v*` tag, builds, writes
  // dist/changelog.md, tags, and publishes the four packages (one version for all).
  // `.ci/run` proves the same path locally (bump, packages, unbump).
  github: true,
  githubOptions: {
    // Pull request titles must be conventional commits: squash merges become the
    // commits that decide the next version and fill the changelog.
    pullRequestLint: true,
    mergify: false,
  },
  release: true,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  // The first release is 0.1.0 (without this it would be 0.0.0, the version in
  // package.json when no `v*` tag exists); later ones follow the commits: in 0.x a
  // breaking change bumps the minor version, a feature or fix the patch version.
  // (projen runs task commands in its own shell, whose `test` has no `-n`: node decides.)
  nextVersionCommand: 'node -e "process.env.LATEST_TAG || console.log(\'0.1.0\')"',
  buildWorkflowOptions: {
    // A build that changes a tracked file fails instead of pushing the change back.
    mutableBuild: false,
    // `compat` compares the API with the last release tag: a pull request from a fork
    // has the tags of the fork, so the release tags come from this repository.
    preBuildSteps: [{
      name: 'Fetch release tags',
      run: 'git fetch --quiet --force --tags "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY.git"',
    }],
  },
  depsUpgrade: false,
  pullRequestTemplate: false,

  // ESLint's project service takes the nearest tsconfig.json, which for test/ is now the
  // jsii one (src/ only): pin every linted file to the development tsconfig instead.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools'],
    fileExtensions: ['.ts', '.tsx'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  jestOptions: {
    // Snapshots are checked, never rewritten, by the test run.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/examples/', '/cdk.out/'],
    },
  },
  gitignore: ['/.jsii.tabl.json', '/harness-results/', '/cdk.out/', '/examples/**/cdk.out/', '/.venv/', '/.ci-venv/', '__pycache__/', '/bench-results/', '/.min-cdk/'],
  npmIgnoreOptions: { ignorePatterns: ['/rosetta/', '/.min-cdk/', '/.compatignore', '/examples/', '/bench/', '/.ci/', '/.venv/', '/scripts/', '/harness/', '/harness-results/', '/test-python/', '/test-trust/'] },
  // The development tsconfig (tests, examples, bench, harness) at the top level, where
  // projen's layout puts it.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    include: ['examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts'],
    // At the top level `**/*.ts` would also reach build output and synthesized apps.
    exclude: ['lib', 'dist', 'assets', 'cdk.out', 'examples/**/cdk.out', '.min-cdk', 'harness-results', 'bench-results', 'coverage'],
  },
});

// `npx projen example`: synthesize the example app and print what it would deploy.
project.addTask('example', {
  description: 'Synthesize examples/app.ts (no AWS credentials needed) and print the image pipelines it would deploy',
  exec: 'ts-node --project tsconfig.dev.json examples/app.ts',
});

// `npx projen bench`: GoldenImage vs hand-written L1 code at 1, 10, 50 and 100 images per stack,
// then hardened images (HardenedBaseRecipe) at the same counts: what each additional one costs
// and how many one stack holds.
const bench = project.addTask('bench', {
  description: 'Benchmark synth time, template size and resources per image against plain L1 code, and hardened images per stack',
  exec: 'ts-node --project tsconfig.dev.json bench/synth-bench.ts',
});
bench.exec('ts-node --project tsconfig.dev.json bench/hardened-bench.ts');
project.addTask('bench:hardened', {
  description: 'Benchmark hardened images per stack: resources, template bytes and CPU per additional image, the largest N one stack holds',
  exec: 'ts-node --project tsconfig.dev.json bench/hardened-bench.ts',
});

// Python tools the tests use (cfn-lint, moto server), in a project-local virtualenv.
const pythonTools = project.addTask('test:python-tools', {
  description: 'Create .venv with the pinned Python test tools (cfn-lint, moto server)',
  exec: 'bash scripts/python-venv.sh',
});
project.testTask.prependSpawn(pythonTools);
// Lambda bundles are git-ignored; tests of the constructs that ship them need them built.
const bundle = project.tasks.tryFind('bundle');
if (bundle) project.testTask.prependSpawn(bundle);

// `npx projen bench:compliance:cold [--baseline <git ref>]`: the compliance rule function's cold
// start (require of the fresh bundle, first invocations), against a git ref's bundle if given.
const benchComplianceCold = project.addTask('bench:compliance:cold', {
  description: 'Benchmark the compliance rule function\'s cold start: require time and first invocations of the bundle (--baseline <git ref> to compare)',
  steps: [
    { spawn: 'bundle' },
    { exec: 'bash scripts/python-venv.sh && ts-node --project tsconfig.dev.json bench/compliance-cold-start.ts', receiveArgs: true },
  ],
});

// `npx projen bench:compliance`: the cold start, then the compliance rule's periodic sweep over
// 1,000 to 50,000 instances in moto server: wall time, peak memory and AWS calls by operation.
project.addTask('bench:compliance', {
  description: 'Benchmark the compliance rule function: cold start, and the periodic sweep in moto server (1k, 10k, 50k instances)',
  steps: [
    { spawn: benchComplianceCold.name },
    { exec: 'bash scripts/python-venv.sh && ts-node --project tsconfig.dev.json bench/compliance-sweep.ts', receiveArgs: true },
  ],
});

// `npx projen test:min-cdk`: the declared minimum aws-cdk-lib (cdkVersion) compiles and
// synthesizes the examples, cfn-lint clean, into the same templates as the dev version.
project.addTask('test:min-cdk', {
  description: 'Type-check and synthesize the examples with the minimum aws-cdk-lib and the current one, cfn-lint both, diff the templates',
  exec: 'bash scripts/synth-min-cdk.sh',
});
// jsii-pacmak would require the installed (dev) aws-cdk-lib in go.mod: generate the Go
// module next to the minimum aws-cdk-lib instead, as Python and Java state the peer range.
project.tasks.tryFind('package:go')?.reset('bash scripts/package-go.sh');
// jsii-pacmak pins each Maven range of the pom to the newest release at packaging time
// (versions:resolve-ranges); keep the ranges of aws-cdk-lib and constructs, which state
// the same minimum as the peer range and the Python wheel.
project.tasks.tryFind('package:java')?.reset('jsii-pacmak -v --target java --mvn-define excludes=software.amazon.awscdk:aws-cdk-lib,software.constructs:constructs');
// The examples written against those packages (scripts/examples-java-go.sh): examples/java's
// Maven output and the binary `go build` writes in examples/go.
project.gitignore.addPatterns('/examples/java/target/', '/examples/go/ecs');
// Helper worktrees link these to the main checkout: a symlink is not a directory, so 'node_modules/' and '/.venv/' miss it.
project.gitignore.addPatterns('/node_modules', '/.venv');

// cfn-lint over the example app's templates.
const cfnLint = project.addTask('test:cfn-lint', {
  description: 'Synthesize the example app and run cfn-lint over every template',
  exec: 'bash scripts/cfn-lint.sh',
});
project.testTask.spawn(cfnLint);

// `npx projen test:trust`: the trust chain's Automation script (src/trust/private/trust-chain-script.ts)
// run by pytest through boto3 against moto server (test-trust/).
const trustTests = project.addTask('test:trust', {
  description: 'Run the trust chain\'s Automation script (promote, revoke, record_ancestry) against moto server with pytest (test-trust/)',
  exec: 'bash scripts/python-venv.sh && .venv/bin/python -m pytest -q test-trust',
  receiveArgs: true,
});
project.testTask.spawn(trustTests);

// `npx projen test:guest`: the generated build steps run on a booted Debian 12 guest under qemu
// (build, reboot, test; twice; every CIS control broken and repaired). Minutes, not seconds:
// CI runs it as its own step rather than in `test`.
project.addTask('test:guest', {
  description: 'Run the generated AWSTOE documents on a booted Debian 12 guest under qemu (harness/)',
  exec: 'bash scripts/guest-harness.sh',
  receiveArgs: true,
});

// `npx projen test:fuzz`: the property-based tests of test/fuzz/ with a longer search than the
// default run (FUZZ_RUNS cases per construct; FUZZ_SEED picks another seed).
project.addTask('test:fuzz', {
  description: 'Run the property-based tests of the constructs\' props (test/fuzz/) with 2000 cases per construct',
  env: { FUZZ_RUNS: '2000', FUZZ_REPORT: '1' },
  exec: 'jest --coverage=false test/fuzz',
  receiveArgs: true,
});

// `npx projen rosetta:extract` (after compile, in post-compile and in CI): every TypeScript
// example of the README and of doc comments compiles against the library in jsii-rosetta's
// strict mode, with rosetta/default.ts-fixture supplying the imports and stacks the README
// leaves out; a broken one fails the build with its README line. The translations (Python, Java,
// C#, Go) go to .jsii.tabl.json next to the assembly, which the npm package ships: jsii-pacmak
// puts them into the Python, Java and Go packages, and jsii-docgen and Construct Hub read them
// for their per-language docs. `--batch` compiles the examples as one program (one load of
// aws-cdk-lib's types instead of one per example). An existing tablet is the cache: an example
// whose source, fixture and referenced types are unchanged is not compiled again.
project.package.addField('jsiiRosetta', { strict: true });
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README\'s TypeScript examples with jsii-rosetta (strict) against the built assembly and write their translations to .jsii.tabl.json',
  steps: [
    { exec: 'jsii-rosetta extract --strict --batch 1000 .jsii' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/check-readme-translations.ts' },
  ],
});
project.postCompileTask.spawn(rosetta);
// `npx projen compat`: the API against the last release (the newest `v*` tag in the history),
// compiled from that tag's sources; prints that there is no previous release when there is
// no tag. Part of `build` (so of every release), and a step of `.ci/run`.
const compat = project.tasks.tryFind('compat');
if (compat) {
  compat.reset('bash scripts/compat.sh');
  compat.description = 'Compare the API with the last release (the newest v* tag in the history) with jsii-diff';
  project.postCompileTask.spawn(compat);
}
// The build job needs the history to find the last release tag (checkout fetches one commit).
project.github?.tryFindWorkflow('build')?.file?.addOverride('jobs.build.steps.0.with.fetch-depth', 0);
// publib's npm publisher defaults to the public registry; the generated job need not name it.
project.github?.tryFindWorkflow('release')?.file?.addDeletionOverride('jobs.release_npm.steps.9.env.NPM_REGISTRY');

project.addDevDeps('constructs@10.5.1');
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('bench');
// examples/ and bench/ are linted with tsconfig.dev.json, which includes them.
project.eslint?.allowDevDeps('examples/**');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.addLintPattern('scripts');
project.eslint?.allowDevDeps('scripts/**');
// The compliance rule's Lambda code (bundled, SDK from the runtime) uses the SDK clients.
project.eslint?.allowDevDeps('src/compliance/runtime/**');

project.synth();
