/**
 * The operating system family an image runs. It decides the component platform, the
 * shell that custom steps run in, and which hardening and agents apply.
 */
export enum ImagePlatform {
  /** Linux distributions: steps run in bash. */
  LINUX = 'Linux',
  /** Windows Server: steps run in PowerShell. */
  WINDOWS = 'Windows',
}

/**
 * The CPU architecture of an image.
 */
export enum ImageArchitecture {
  /** 64-bit x86 (Intel and AMD). */
  X86_64 = 'x86_64',
  /** 64-bit Arm (AWS Graviton). */
  ARM64 = 'arm64',
}
