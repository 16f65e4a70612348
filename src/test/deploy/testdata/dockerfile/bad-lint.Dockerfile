# check=skip=all
FROM alpine:3.20 as Builder
MAINTAINER someone@example.com
WORKDIR src
ENV GREETING=$UNDEFINED_THING
ENV LEGACY value
ARG API_TOKEN=changeme
copy app.jar /src/
EXPOSE 8080/TCP
CMD java -jar /src/app.jar

FROM --platform=$TARGETPLATFORM alpine:3.20 AS dup
FROM alpine:3.20 AS dup
