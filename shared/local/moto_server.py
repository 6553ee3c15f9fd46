"""Starts moto's server with corrections for the parts of ECS and KMS that CauseFlow uses.

1. ECS models a task container's `cpu` and `memory` as strings. moto copies the numbers of
   the task definition, which the AWS SDKs for Rust and Go then refuse to parse, so every
   RunTask, StopTask and DescribeTasks response would fail.
2. moto cannot run a container, so it cannot kill one for running out of memory. A StopTask
   whose reason starts with `OutOfMemoryError` is recorded the way ECS reports such a stop:
   the container's exit code 137 (SIGKILL) and the reason on the container. Every stop also
   gets its `stoppedAt` time, which moto leaves out.
3. KMS refuses to use a key that is disabled or pending deletion (KMSInvalidStateException
   for Encrypt, Decrypt and GenerateDataKey). moto 5.2.1 keeps using such keys, which would
   hide whether erasing a tenant by deleting its key works.

Usage: python moto_server.py -H 127.0.0.1 -p PORT (the arguments of `moto.server`).
"""

import sys
import time

from moto.core.exceptions import JsonRESTError
from moto.ecs import models as ecs_models
from moto.kms import models as kms_models
from moto.server import main

_container_init = ecs_models.Container.__init__


def _container_init_with_string_sizes(self, task_def):
    _container_init(self, task_def)
    self.cpu = None if self.cpu is None else str(self.cpu)
    self.memory = None if self.memory is None else str(self.memory)


ecs_models.Container.__init__ = _container_init_with_string_sizes

_stop_task = ecs_models.EC2ContainerServiceBackend.stop_task
OOM_KILL_EXIT_CODE = 137


def _stop_task_like_ecs(self, cluster_str, task_str, reason):
    task = _stop_task(self, cluster_str, task_str, reason)
    task.stopped_at = time.time()
    if reason and reason.startswith("OutOfMemoryError"):
        for container in task.containers:
            container.exitCode = OOM_KILL_EXIT_CODE
            container.reason = reason
            container.last_status = "STOPPED"
    return task


ecs_models.EC2ContainerServiceBackend.stop_task = _stop_task_like_ecs



class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, arn, state):
        super().__init__("KMSInvalidStateException", f"{arn} is {state}.")


KEY_STATE_WORDS = {"Disabled": "disabled", "PendingDeletion": "pending deletion"}


def _require_enabled(backend, key_id):
    key = backend.keys[backend.any_id_to_key_id(key_id)]
    if key.key_state != "Enabled":
        raise KMSInvalidStateException(key.arn, KEY_STATE_WORDS.get(key.key_state, key.key_state))


_encrypt = kms_models.KmsBackend.encrypt
_decrypt = kms_models.KmsBackend.decrypt


def _encrypt_with_enabled_key(self, key_id, plaintext, encryption_context):
    _require_enabled(self, key_id)
    return _encrypt(self, key_id, plaintext, encryption_context)


def _decrypt_with_enabled_key(self, ciphertext_blob, encryption_context, key_id=None):
    plaintext, arn = _decrypt(self, ciphertext_blob, encryption_context, key_id)
    _require_enabled(self, arn)
    return plaintext, arn


kms_models.KmsBackend.encrypt = _encrypt_with_enabled_key
kms_models.KmsBackend.decrypt = _decrypt_with_enabled_key

if __name__ == "__main__":
    main(sys.argv[1:])
