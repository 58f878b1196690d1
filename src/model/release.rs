//! A release: the function definition as Lambda should run it (`sensitive_environment` merged
//! in) and where its code comes from.

use std::fmt;

use sha2::{Digest, Sha256};

use super::definition::{DefinitionError, FunctionDefinition};

/// Lambda's limit for a .zip uploaded directly.
pub const MAX_DIRECT_ZIP_BYTES: u64 = 50 * 1024 * 1024;

/// Where the code of a release comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum CodeSource {
    Zip(Vec<u8>),
    S3 {
        bucket: String,
        key: String,
        version: Option<String>,
    },
    Image(String),
    /// The code of the version the alias serves, kept as it is (`keep_code`): its CodeSha256,
    /// filled in at apply once that version is read. Never uploaded.
    Served(String),
}

impl fmt::Debug for CodeSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeSource::Zip(bytes) => write!(f, "Zip({} bytes)", bytes.len()),
            CodeSource::S3 {
                bucket,
                key,
                version,
            } => {
                write!(f, "S3(s3://{bucket}/{key}")?;
                version
                    .iter()
                    .try_for_each(|v| write!(f, "?versionId={v}"))?;
                write!(f, ")")
            }
            CodeSource::Image(uri) => write!(f, "Image({uri})"),
            CodeSource::Served(sha) => write!(f, "Served({sha})"),
        }
    }
}

/// What an apply deploys.
#[derive(Clone, Debug)]
pub struct Release {
    /// The definition with `sensitive_environment` merged in: never log its values.
    pub definition: FunctionDefinition,
    pub code: CodeSource,
    /// Base64 SHA-256 of a local package, when there is one: Lambda's CodeSha256 of it.
    pub package_hash: Option<String>,
}

impl Release {
    pub fn function_name(&self) -> &str {
        self.definition.function_name()
    }

    /// The release with its local package staged in S3 under `key`.
    pub fn staged(mut self, bucket: &str, key: String) -> Release {
        self.code = CodeSource::S3 {
            bucket: bucket.to_string(),
            key,
            version: None,
        };
        self
    }
}

/// Base64 of the SHA-256 of `bytes`: what Terraform's `filebase64sha256()` gives, and what Lambda
/// reports as `CodeSha256` for a .zip.
pub fn package_hash(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// [`package_hash`] of a file, read in pieces: a plan hashes the package without holding it in
/// memory.
pub fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    use base64::Engine as _;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

/// Where a package is staged in S3: `gitmoxi/<function>/<sha256 hex>.zip`, so the same package
/// is uploaded once and a retried apply finds it there.
pub fn staging_key(function: &str, package: &[u8]) -> String {
    let digest = Sha256::digest(package);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("gitmoxi/{function}/{hex}.zip")
}

/// Picks the code: the local package, else `Code` in the definition.
pub fn code_source(
    def: &FunctionDefinition,
    package_bytes: Option<Vec<u8>>,
) -> Result<CodeSource, DefinitionError> {
    if let Some(bytes) = package_bytes {
        return Ok(CodeSource::Zip(bytes));
    }
    let code = def.code();
    if let Some(uri) = code.and_then(|c| c.image_uri.clone()) {
        return Ok(CodeSource::Image(uri));
    }
    if let Some(zip) = code.and_then(|c| c.zip_file.as_deref()) {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(zip)
            .map_err(|_| DefinitionError {
                summary: "Code.ZipFile is not valid base64".into(),
                detail: "Give the .zip as standard base64, e.g. filebase64(\"app.zip\"), or use \
                         package_file."
                    .into(),
                key_path: Some("Code.ZipFile".into()),
            })?;
        return Ok(CodeSource::Zip(bytes));
    }
    if let Some((bucket, key)) = code.and_then(|c| Some((c.s3_bucket.clone()?, c.s3_key.clone()?)))
    {
        let version = code.and_then(|c| c.s3_object_version.clone());
        return Ok(CodeSource::S3 {
            bucket,
            key,
            version,
        });
    }
    Err(DefinitionError {
        summary: "The function has no code".into(),
        detail: "Set package_file (a local .zip), or Code in function_definition (ZipFile, \
                 S3Bucket + S3Key, or ImageUri for PackageType Image)."
            .into(),
        key_path: Some("Code".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_keys_follow_the_package_content() {
        let a = staging_key("orders", b"zip one");
        assert!(a.starts_with("gitmoxi/orders/") && a.ends_with(".zip"));
        assert_eq!(a.len(), "gitmoxi/orders/".len() + 64 + 4);
        assert_eq!(a, staging_key("orders", b"zip one"));
        assert_ne!(a, staging_key("orders", b"zip two"));
    }

    #[test]
    fn a_file_hashed_in_pieces_hashes_as_its_bytes() {
        let path = std::env::temp_dir().join(format!("gitmoxi-hash-{}", std::process::id()));
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(hash_file(&path).unwrap(), package_hash(&bytes));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn package_hash_is_filebase64sha256() {
        assert_eq!(
            package_hash(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
