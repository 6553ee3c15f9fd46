"""Starts moto's server with two corrections for the parts of ECS that CauseFlow reads.

1. ECS models a task container's `cpu` and `memory` as strings. moto copies the numbers of
   the task definition, which the AWS SDKs for Rust and Go then refuse to parse, so every
   RunTask, StopTask and DescribeTasks response would fail.
2. moto cannot run a container, so it cannot kill one for running out of memory. A StopTask
   whose reason starts with `OutOfMemoryError` is recorded the way ECS reports such a stop:
   the container's exit code 137 (SIGKILL) and the reason on the container. Every stop also
   gets its `stoppedAt` time, which moto leaves out.

Usage: python moto_server.py -H 127.0.0.1 -p PORT (the arguments of `moto.server`).
"""

import sys
import time

from moto.ecs import models as ecs_models
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

if __name__ == "__main__":
    main(sys.argv[1:])
