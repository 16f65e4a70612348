# syntax=docker/dockerfile:1

# JAVA_VERSION is the Temurin major version.
ARG JAVA_VERSION=21

# deploycheck: base-env JAVA_HOME

# build compiles the application.
FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build
WORKDIR /src
COPY app.jar config/ ./
COPY lib/*.jar /src/lib/
RUN --mount=type=cache,target=/root/.m2 echo building

# test runs the tests.
FROM build AS test
RUN --mount=type=bind,from=build,source=/src,target=/mnt echo testing

# runtime is the image that ships.
FROM eclipse-temurin:${JAVA_VERSION}-jre AS runtime
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=build /src/app.jar /app/app.jar
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
COPY <<EOT /app/banner.txt
hello
EOT
ADD https://example.com/agent.tar.gz /opt/
USER 1000
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
