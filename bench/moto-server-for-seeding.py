"""moto server for the compliance benchmark, with two lookups made direct.

moto finds an instance by scanning every instance, and a volume by scanning every volume, and
RunInstances does both for each instance it launches: seeding 50,000 instances is quadratic
(it did not finish in 30 minutes). Here an instance is looked up newest reservation first and a
single volume by its key, which returns the same object (IDs are unique) without copying every
reservation, and at once for a just-launched instance. Nothing on the handler's path (DescribeInstances, DescribeImages, SSM,
Auto Scaling) is changed.

    python bench/moto-server-for-seeding.py -H 127.0.0.1 -p 5000
"""
import sys

from moto.ec2.exceptions import InvalidInstanceIdError
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.instances import InstanceBackend
from moto.server import main

_describe_volumes = EBSBackend.describe_volumes


def get_instance(self, instance_id):
    # list() copies the values in one step under the GIL: other threads add reservations meanwhile.
    for reservation in reversed(list(self.reservations.values())):
        for instance in reservation.instances:
            if instance.id == instance_id:
                return instance
    raise InvalidInstanceIdError(instance_id)


def describe_volumes(self, volume_ids=None, filters=None):
    if volume_ids and len(volume_ids) == 1 and not filters and volume_ids[0] in self.volumes:
        return [self.volumes[volume_ids[0]]]
    return _describe_volumes(self, volume_ids, filters)


InstanceBackend.get_instance = get_instance
EBSBackend.describe_volumes = describe_volumes

if __name__ == "__main__":
    sys.exit(main())
