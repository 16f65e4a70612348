package io.tracebee.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps refused requests to RFC 9457 problem+json responses with a specific detail. */
public final class ProblemMapper {
    public static final MediaType PROBLEM_JSON = new MediaType("application", "problem+json");

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return response(e.status(), e.type(), e.title(), e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        return response(400, "unknown-field", "Invalid target request",
                "unknown field \"" + e.getPropertyName() + "\"; allowed fields: pid, exe, exeGlob, serviceName", uri);
    }

    @ServerExceptionMapper
    public Response wrongType(InvalidFormatException e, UriInfo uri) {
        return response(400, "wrong-type", "Invalid target request",
                "field \"" + fieldPath(e) + "\" has the wrong type: expected " + e.getTargetType().getSimpleName()
                        + ", got " + e.getValue(), uri);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        String field = fieldPath(e);
        String detail = field.isEmpty()
                ? "request body must be a JSON object like {\"pid\": 1234}, {\"exe\": \"/path/to/binary\"} or "
                        + "{\"exeGlob\": \"/srv/*/server\"}"
                : "field \"" + field + "\" has the wrong type: expected " + e.getTargetType().getSimpleName();
        return response(400, "wrong-type", "Invalid target request", detail, uri);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        return response(400, "malformed-json", "Invalid target request",
                "request body is not valid JSON: " + e.getOriginalMessage(), uri);
    }

    /** Quarkus REST wraps JSON syntax errors in a 400 WebApplicationException; other ones keep their response. */
    @ServerExceptionMapper
    public Response webApplication(jakarta.ws.rs.WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformed(json, uri);
        }
        return e.getResponse();
    }

    private static String fieldPath(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        e.getPath().forEach(ref -> {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            }
        });
        return sb.toString();
    }

    static Response response(int status, String type, String title, String detail, UriInfo uri) {
        return Response.status(status).type(PROBLEM_JSON).entity(body(status, type, title, detail, uri == null ? null : uri.getPath()))
                .build();
    }

    /** An RFC 9457 problem document; {@code instance} may be null. */
    static Map<String, Object> body(int status, String type, String title, String detail, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://tracebee.io/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        return body;
    }
}
