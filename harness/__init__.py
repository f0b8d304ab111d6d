"""Local EC2 Image Builder harness: runs the library's AWSTOE documents on a booted Debian guest.

`harness.guest` prepares and boots the guest (qemu, Debian 12); `harness.standins` holds the
stand-ins for AWS-managed software and components that cannot be downloaded here.
"""
