from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class StagegraphRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """Selected with LAMBDA_RUNTIME_EXECUTOR=stagegraph."""

    name = "stagegraph"

    def load(self, *args, **kwargs):
        from stagegraph_localstack.executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor
