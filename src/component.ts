import * as fs from 'fs';
import * as path from 'path';
import { Aws, Names, Stack, Token } from 'aws-cdk-lib';
import { CfnComponent } from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { ImagePlatform } from './platform';
import { contentHash, contentVersion } from './private/content-version';
import { renderScriptDocument } from './private/toe-document';
import { IMAGE_BUILDER_COMPONENT_ARN, validateScript } from './private/validation';

/** The service stores inline component documents up to this many characters. */
const MAX_INLINE_DOCUMENT_LENGTH = 16_000;
const AWS_MANAGED_VERSION = /^(\d+|x)\.(\d+|x)\.(\d+|x)$/;
/** A component's own name; the resource is named `<recipe name>-<component name>`. */
const COMPONENT_NAME = /^[-_A-Za-z0-9]([-_A-Za-z0-9 ]{0,124}[-_A-Za-z0-9])?$/;
/** The longest component resource name the library creates. */
const MAX_COMPONENT_RESOURCE_NAME = 126;
/** The id, on each stack, of the construct holding the components its recipes share. */
const SHARED_COMPONENTS_ID = 'GoldenAmiComponents';

/**
 * The AWSTOE phase a script runs in.
 */
export enum ComponentPhase {
  /** Runs while the image is built, before the AMI is taken. */
  BUILD = 'build',
  /** Runs on the build instance after the build phase, to check it. */
  VALIDATE = 'validate',
  /** Runs on a fresh instance launched from the new AMI. */
  TEST = 'test',
}

/**
 * Options shared by every component.
 */
export interface ComponentOptions {
  /**
   * Values for the component document's input parameters, by parameter name.
   *
   * @default - no parameters; the document's defaults apply
   */
  readonly parameters?: { [name: string]: string };
}

/**
 * A component written as a script: bash on Linux, PowerShell on Windows.
 */
export interface ScriptComponentOptions extends ComponentOptions {
  /**
   * The component name, unique within the recipe.
   */
  readonly name: string;

  /**
   * The script. Linux scripts run with `set -euo pipefail`; Windows scripts stop on the first error.
   * No control characters but tab and line feed (CRLF is taken as LF), no U+2028 or U+2029:
   * AWSTOE's YAML parser would read those as line breaks.
   */
  readonly script: string;

  /**
   * The operating system family the script is for.
   *
   * @default ImagePlatform.LINUX
   */
  readonly platform?: ImagePlatform;

  /**
   * The phase the script runs in.
   *
   * @default ComponentPhase.BUILD
   */
  readonly phase?: ComponentPhase;

  /**
   * What the component does, shown in the console.
   *
   * @default - the component name
   */
  readonly description?: string;
}

/**
 * A component read from a file: an AWSTOE document (`.yml`, `.yaml`) or a script
 * (`.sh` for bash, `.ps1` for PowerShell).
 */
export interface FileComponentOptions extends ComponentOptions {
  /**
   * The component name, unique within the recipe.
   *
   * @default - the file name without its extension
   */
  readonly name?: string;

  /**
   * The operating system family.
   *
   * @default - Windows for `.ps1` files, otherwise Linux
   */
  readonly platform?: ImagePlatform;

  /**
   * The phase a script file runs in (ignored for documents, which name their phases).
   *
   * @default ComponentPhase.BUILD
   */
  readonly phase?: ComponentPhase;
}

/**
 * A component given as an AWSTOE YAML document.
 */
export interface DocumentComponentOptions extends ComponentOptions {
  /**
   * The component name, unique within the recipe.
   */
  readonly name: string;

  /**
   * The AWSTOE document (YAML with `schemaVersion` and `phases`).
   */
  readonly document: string;

  /**
   * The operating system family.
   *
   * @default ImagePlatform.LINUX
   */
  readonly platform?: ImagePlatform;

  /**
   * What the component does.
   *
   * @default - the component name
   */
  readonly description?: string;
}

/**
 * A component as it is placed in a recipe.
 */
export interface ComponentBinding {
  /**
   * The component ARN the recipe references.
   */
  readonly componentArn: string;

  /**
   * Parameter values, in the shape the recipe takes.
   *
   * @default - none
   */
  readonly parameters?: ComponentParameterValue[];

  /**
   * A value that changes whenever the component's content or version changes. Recipe
   * versions are derived from it, so editing a component deploys a new recipe version.
   */
  readonly fingerprint: string;
}

/**
 * One component parameter value.
 */
export interface ComponentParameterValue {
  /** The parameter name. */
  readonly name: string;
  /** The parameter value. */
  readonly value: string;
}

/**
 * A build or test step of a recipe: an AWS-managed component, or one the library creates
 * from a script, a file or an AWSTOE document.
 */
export abstract class RecipeComponent {
  /**
   * An AWS-managed component, by name and version.
   *
   * @param name the component name, for example `update-linux` or `aws-cli-version-2-linux`
   * @param version a version such as `1.0.2`, or with `x` parts to follow the latest
   * @default version x.x.x (always the latest)
   */
  public static awsManaged(name: string, version: string = 'x.x.x', options: ComponentOptions = {}): RecipeComponent {
    if (!Token.isUnresolved(name) && !/^[a-z0-9][a-z0-9-]{0,127}$/.test(name)) {
      throw new Error(`AWS-managed component name must be lower-case letters, digits and hyphens, got: '${name}'`);
    }
    if (!Token.isUnresolved(version) && !AWS_MANAGED_VERSION.test(version)) {
      throw new Error(`AWS-managed component '${name}' version must be major.minor.patch with numbers or x, got: '${version}'`);
    }
    return new ArnComponent(
      `arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/${name}/${version}`,
      `aws:${name}/${version}`,
      options,
    );
  }

  /**
   * An existing component by ARN, for example one shared from another account.
   *
   * @param componentArn the component ARN, with a version
   */
  public static fromComponentArn(componentArn: string, options: ComponentOptions = {}): RecipeComponent {
    if (!Token.isUnresolved(componentArn) && !IMAGE_BUILDER_COMPONENT_ARN.test(componentArn)) {
      throw new Error(`component ARN must be an Image Builder component ARN with a version, got: '${componentArn}'`);
    }
    return new ArnComponent(componentArn, `arn:${componentArn}`, options);
  }

  /**
   * A component that runs a script.
   */
  public static fromScript(options: ScriptComponentOptions): RecipeComponent {
    if (!Token.isUnresolved(options.script) && options.script.trim().length === 0) {
      throw new Error(`component '${options.name}' script must not be empty`);
    }
    validateScript(`component '${options.name}' script`, options.script);
    const platform = options.platform ?? ImagePlatform.LINUX;
    const document = renderScriptDocument({
      name: options.name,
      description: options.description ?? options.name,
      platform,
      phase: options.phase ?? ComponentPhase.BUILD,
      script: options.script,
    });
    return new DocumentComponent(options.name, document, platform, options.description ?? options.name, options);
  }

  /**
   * A component read from a file when the app is synthesized: an AWSTOE document
   * (`.yml` / `.yaml`) or a script (`.sh`, `.ps1`).
   *
   * @param filePath path to the file
   */
  public static fromFile(filePath: string, options: FileComponentOptions = {}): RecipeComponent {
    if (!fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) {
      throw new Error(`component file does not exist or is not a file, got: '${filePath}'`);
    }
    const extension = path.extname(filePath).toLowerCase();
    const name = options.name ?? path.basename(filePath, path.extname(filePath));
    // Editors on Windows save with a byte order mark; in the command it would prefix the first word.
    const content = fs.readFileSync(filePath, 'utf-8').replace(/^\uFEFF/, '');
    if (extension === '.yml' || extension === '.yaml') {
      return RecipeComponent.fromDocument({ ...options, name, document: content });
    }
    if (extension !== '.sh' && extension !== '.ps1') {
      throw new Error(`component file must be an AWSTOE document (.yml, .yaml) or a script (.sh, .ps1), got: '${filePath}'`);
    }
    const platform = options.platform ?? (extension === '.ps1' ? ImagePlatform.WINDOWS : ImagePlatform.LINUX);
    return RecipeComponent.fromScript({ ...options, name, script: content, platform });
  }

  /**
   * A component from an AWSTOE YAML document.
   */
  public static fromDocument(options: DocumentComponentOptions): RecipeComponent {
    if (!Token.isUnresolved(options.document)) {
      if (!/^\s*schemaVersion\s*:/m.test(options.document) || !/^\s*phases\s*:/m.test(options.document)) {
        throw new Error(`component '${options.name}' document must be an AWSTOE document with 'schemaVersion' and 'phases' at the top level`);
      }
    }
    return new DocumentComponent(
      options.name,
      options.document,
      options.platform ?? ImagePlatform.LINUX,
      options.description ?? options.name,
      options,
    );
  }

  /**
   * A component from an AWSTOE document, created once per stack and shared by every recipe
   * in the stack that uses the same document: named and versioned by its content, not by
   * the recipe. What differs per recipe goes in `parameters`.
   *
   * @internal
   */
  public static _sharedDocument(options: DocumentComponentOptions): RecipeComponent {
    return new DocumentComponent(
      options.name,
      options.document,
      options.platform ?? ImagePlatform.LINUX,
      options.description ?? options.name,
      options,
      true,
    );
  }

  /**
   * The component name in the recipe, or undefined for components referenced by ARN.
   */
  public abstract readonly name?: string;

  /**
   * The operating system family the component runs on, or undefined when the library
   * cannot know it (components referenced by ARN).
   */
  public abstract readonly platform?: ImagePlatform;

  /**
   * Places the component in a recipe, creating it under `scope` if the library owns it.
   *
   * @param scope the recipe construct
   * @param recipeName the recipe name, prefixed to the component name to keep it unique
   */
  public abstract bind(scope: Construct, recipeName: string): ComponentBinding;
}

function renderParameters(options: ComponentOptions): ComponentParameterValue[] | undefined {
  const entries = Object.entries(options.parameters ?? {});
  return entries.length === 0 ? undefined : entries.map(([name, value]) => ({ name, value }));
}

class ArnComponent extends RecipeComponent {
  public readonly name = undefined;
  public readonly platform = undefined;

  constructor(private readonly arn: string, private readonly identity: string, private readonly options: ComponentOptions) {
    super();
  }

  public bind(_scope: Construct, _recipeName: string): ComponentBinding {
    const parameters = renderParameters(this.options);
    return {
      componentArn: this.arn,
      parameters,
      fingerprint: contentHash(this.identity),
    };
  }
}

class DocumentComponent extends RecipeComponent {
  constructor(
    public readonly name: string,
    private readonly document: string,
    public readonly platform: ImagePlatform,
    private readonly description: string,
    private readonly options: ComponentOptions,
    private readonly shared: boolean = false,
  ) {
    super();
    if (!Token.isUnresolved(name) && !COMPONENT_NAME.test(name)) {
      throw new Error(`component name must be 1-126 characters of letters, digits, hyphens and underscores (spaces only inside), got: '${name}'`);
    }
    if (!Token.isUnresolved(document) && document.length > MAX_INLINE_DOCUMENT_LENGTH) {
      throw new Error(`component '${name}' document is ${document.length} characters; Image Builder takes at most ${MAX_INLINE_DOCUMENT_LENGTH} inline. Split it into several components.`);
    }
  }

  public bind(scope: Construct, recipeName: string): ComponentBinding {
    // Every property of a component is replaced on change, and a replacement under the same
    // name and version fails: the version covers all of them but the name.
    // A document holding tokens (an asset's bucket, say) is versioned by what it resolves
    // to, which stays the same from one synth to the next.
    const content = Token.isUnresolved(this.document) ? JSON.stringify(Stack.of(scope).resolve(this.document)) : this.document;
    const version = contentVersion(this.platform, content, this.description);
    const parameters = renderParameters(this.options);
    if (this.shared) {
      const component = SharedComponents.of(scope).component(this.name, this.platform, this.document, content, this.description, version);
      // The name is the stack's: it goes in the fingerprint, so a recipe that moves to
      // another component name is a new recipe version.
      return { componentArn: component.arn, parameters, fingerprint: `${component.name}/${version}` };
    }
    const componentName = `${recipeName}-${this.name}`;
    if (!Token.isUnresolved(componentName) && componentName.length > MAX_COMPONENT_RESOURCE_NAME) {
      throw new Error(`component '${this.name}' of recipe '${recipeName}' gets the name '${componentName}', longer than Image Builder's ${MAX_COMPONENT_RESOURCE_NAME} characters: shorten the component or recipe name`);
    }
    const component = new CfnComponent(scope, `Component${this.name}`, {
      name: componentName,
      platform: this.platform,
      version,
      data: this.document,
      description: this.description.slice(0, 1024),
      changeDescription: `content ${version}`,
    });
    return {
      componentArn: component.attrArn,
      parameters,
      fingerprint: version,
    };
  }
}

/** A component created once in a stack. */
interface SharedComponent {
  readonly name: string;
  readonly arn: string;
}

/**
 * The components the recipes of one stack share, one resource per distinct content. It is a
 * construct on the stack, found again with `tryFindChild`, so that two stacks (or two apps in
 * one process) never share: component names are unique per account and region, and each
 * stack names its own after itself.
 */
class SharedComponents extends Construct {
  public static of(scope: Construct): SharedComponents {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(SHARED_COMPONENTS_ID);
    if (existing === undefined) {
      return new SharedComponents(stack, SHARED_COMPONENTS_ID);
    }
    if (!(existing instanceof SharedComponents)) {
      throw new Error(`the construct id '${SHARED_COMPONENTS_ID}' on stack '${stack.node.path}' is reserved for the components cdk-golden-ami recipes share: rename your construct, got a ${existing.constructor.name}`);
    }
    return existing;
  }

  private readonly components = new Map<string, SharedComponent>();

  /**
   * The component for a document, created the first time the stack's recipes use it.
   *
   * @param content the document as it resolves, which identifies it
   */
  public component(name: string, platform: ImagePlatform, document: string, content: string, description: string, version: string): SharedComponent {
    const key = contentHash(name, platform, content, description);
    const known = this.components.get(key);
    if (known) {
      return known;
    }
    // '<stack>-GoldenAmiComponents-<hash>-<name>-<content hash>': unique per stack and per
    // content, and unchanged while the content is.
    const suffix = `-${name}-${key.slice(0, 8)}`;
    const prefixLength = Math.min(64, MAX_COMPONENT_RESOURCE_NAME - suffix.length);
    if (prefixLength < 16) {
      throw new Error(`component name '${name}' is too long to share: at most ${MAX_COMPONENT_RESOURCE_NAME - 16 - 10} characters, got ${name.length}`);
    }
    const componentName = `${Names.uniqueResourceName(this, { maxLength: prefixLength, separator: '-' })}${suffix}`;
    const resource = new CfnComponent(this, `${name}-${key.slice(0, 8)}`, {
      name: componentName,
      platform,
      version,
      data: document,
      description: description.slice(0, 1024),
      changeDescription: `content ${version}`,
    });
    const shared = { name: componentName, arn: resource.attrArn };
    this.components.set(key, shared);
    return shared;
  }
}
