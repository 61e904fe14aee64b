# designdoc in a container: `docker run --rm -v "$PWD:/work" designdoc check docs/`
# Build stage: the release binary (profile `dist`: LTO, one codegen unit, stripped).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --profile dist -p designdoc \
    && cp target/dist/designdoc /usr/local/bin/designdoc

# Run stage: a slim Debian with only the binary, as an unprivileged user.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /work designdoc
COPY --from=build /usr/local/bin/designdoc /usr/local/bin/designdoc
USER designdoc
WORKDIR /work
EXPOSE 8080
ENTRYPOINT ["designdoc"]
CMD ["--help"]
