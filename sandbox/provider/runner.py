"""Serving a plugin-protocol servicer the way go-plugin expects: a gRPC server on a unix socket with a
fresh self-signed certificate, announced on stdout in the handshake line.
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
import threading
from concurrent import futures
from typing import Any

import grpc
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2_grpc as rpc

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
TLS_DIR_VAR = "RECONCILE_PROVIDER_TLS_DIR"


def serve(servicer: rpc.ProviderServicer) -> int:
    """Serve until Terraform asks us to stop. Returns the process exit code."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(
            "This binary is a plugin. These are not meant to be executed directly.\n"
            "Terraform runs it: point TF_CLI_CONFIG_FILE at the file `reconcile sandbox env` exports.",
            file=sys.stderr,
        )
        return 1
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    rpc.add_ProviderServicer_to_server(servicer, server)
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(stopped), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    key_pem, cert_pem = tls_pair()
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    with tempfile.TemporaryDirectory(prefix="tf-azurerm-") as tmp:
        socket = os.path.join(tmp, "plugin.sock")
        server.add_secure_port(f"unix://{socket}", credentials)
        server.start()
        # go-plugin wants the certificate's DER, base64 without padding: the PEM body, re-encoded.
        der = base64.b64decode(
            b"".join(line for line in cert_pem.splitlines() if not line.startswith(b"-----"))
        )
        print(f"1|6|unix|{socket}|grpc|{base64.b64encode(der).decode().rstrip('=')}", flush=True)
        stopper = getattr(servicer, "stopped", None)
        while not stopped.wait(0.05):
            if isinstance(stopper, threading.Event) and stopper.is_set():
                break
        server.stop(grace=0.5)
    return 0


class _Controller(controller_rpc.GRPCControllerServicer):
    def __init__(self, stopped: threading.Event) -> None:
        self._stopped = stopped

    def Shutdown(self, request: Any, context: Any) -> Any:
        self._stopped.set()
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):
    def StreamStdio(self, request: Any, context: Any) -> Any:
        return iter([])


def tls_pair() -> tuple[bytes, bytes]:
    """The key and certificate ``install`` left beside the launcher, else a fresh pair.

    Generating one costs the ``cryptography`` import (~150 ms) on every start of the provider, and
    Terraform starts it several times per command.
    """
    folder = os.environ.get(TLS_DIR_VAR)
    if folder:
        try:
            with (
                open(os.path.join(folder, "tls.key"), "rb") as k,
                open(os.path.join(folder, "tls.crt"), "rb") as c,
            ):
                return k.read(), c.read()
        except OSError:
            pass
    return generate_tls_pair()


def generate_tls_pair() -> tuple[bytes, bytes]:
    """A self-signed EC key and certificate for localhost, as PEM."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=True,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    purposes = [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(purposes), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
