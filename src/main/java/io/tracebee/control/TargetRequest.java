package io.tracebee.control;

/** Body of {@code POST /targets}: exactly one of pid or exe, and an optional service name. */
public record TargetRequest(Integer pid, String exe, String serviceName) {
}
