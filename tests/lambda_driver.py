"""Play AWS Lambda's part for an unzipped package: serve JSON-line events through its handler.

Run as `python3.12 -I -S -B lambda_driver.py PACKAGE_DIR RUNTIME_DIR`: the interpreter sees only the
package (like /var/task) and a directory standing in for the runtime's boto3 (like /var/runtime).
Each stdin line is an event; each stdout line is {"result": ...} or {"error": ..., "type": ...}.
Everything the handler prints or logs goes to stderr, as it would go to CloudWatch, and after each
event a line `END <request id>` marks where that invocation's output stops.
Before the handler is imported, a root log handler is installed the way Lambda's Python bootstrap
(awslambdaric) installs its own, so a package that logs each record twice shows it here too.
Standard library only: nothing of the test environment may leak into the package's interpreter.
"""

import json
import logging
import os
import sys
import time
import traceback
import uuid

END = "\x1eEND "  # record separator: no log line starts with it
_current_request_id = ""


class LambdaLoggerHandler(logging.Handler):
    """awslambdaric's text-format root handler: one tab-separated line per record."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record))
        sys.stderr.flush()


class LambdaLoggerFilter(logging.Filter):
    """awslambdaric stamps every record with the invocation's request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current_request_id
        return True


def install_runtime_logging() -> None:
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


class LambdaContext:
    """The attributes of Lambda's context object that Zappa and the app read."""

    def __init__(self, function_name: str) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "512"
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/11/23/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def main() -> int:
    package_dir, runtime_dir = sys.argv[1], sys.argv[2]
    sys.path[:0] = [package_dir, runtime_dir]
    os.chdir(package_dir)
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the handler's prints and the app's JSON logs go to "CloudWatch" (stderr)
    sys.stdout = sys.stderr
    install_runtime_logging()

    started = time.perf_counter()
    import handler  # Zappa's handler.py at the zip root: Lambda's "handler.lambda_handler"

    imported = time.perf_counter() - started
    protocol.write(json.dumps({"ready": True, "import_seconds": imported}) + "\n")
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "spotify-data-api-dev")
    global _current_request_id
    for line in sys.stdin:
        event = json.loads(line)
        context = LambdaContext(function_name)
        _current_request_id = context.aws_request_id
        started = time.perf_counter()
        try:
            answer = {"result": handler.lambda_handler(event, context)}
        except BaseException as exc:  # report anything, as Lambda would, and keep serving
            answer = {"error": str(exc), "type": type(exc).__name__}
            traceback.print_exc()
        answer["seconds"] = time.perf_counter() - started
        answer["request_id"] = context.aws_request_id
        sys.stderr.write(f"{END}{context.aws_request_id}\n")
        sys.stderr.flush()
        protocol.write(json.dumps(answer, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
