//! Checks of the code: exactly one source that fits the package type, and what a `.zip` or an
//! Image function requires or forbids.

use super::{one_of, Check, S3_OBJECT_STORAGE_MODES};
use crate::model::definition::errors::DefinitionError;
use crate::model::definition::model::CreateFunctionJson;

/// Exactly one code source, and one that fits the package type.
pub(super) fn code(def: &CreateFunctionJson) -> Check {
    let Some(code) = &def.code else { return Ok(()) };
    one_of(
        "Code.S3ObjectStorageMode",
        code.s3_object_storage_mode.as_deref(),
        S3_OBJECT_STORAGE_MODES,
    )?;
    let s3 = code.s3_bucket.is_some() || code.s3_key.is_some() || code.s3_object_version.is_some();
    let sources = [code.zip_file.is_some(), s3, code.image_uri.is_some()];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err(DefinitionError::at(
            "Code",
            "Code must name exactly one source",
            "Give one of: ZipFile (base64 of the .zip), S3Bucket + S3Key (+ S3ObjectVersion), or \
             ImageUri. Or drop Code and use the package_file argument.",
        ));
    }
    if s3 && (code.s3_bucket.is_none() || code.s3_key.is_none()) {
        let missing = if code.s3_bucket.is_none() {
            "Code.S3Bucket"
        } else {
            "Code.S3Key"
        };
        return Err(DefinitionError::at(
            missing,
            format!("{missing} is missing"),
            "Code from S3 needs both S3Bucket and S3Key.",
        ));
    }
    if let Some(zip) = &code.zip_file {
        use base64::Engine as _;
        if base64::engine::general_purpose::STANDARD
            .decode(zip)
            .is_err()
        {
            return Err(DefinitionError::at(
                "Code.ZipFile",
                "Code.ZipFile is not valid base64",
                "ZipFile carries the .zip as standard base64, e.g. filebase64(\"build/app.zip\"). \
                 For a local file, the package_file argument is simpler.",
            ));
        }
    }
    let image = def.package_type.as_deref() == Some("Image");
    if code.image_uri.is_some() && !image {
        return Err(DefinitionError::at(
            "PackageType",
            "Code.ImageUri needs \"PackageType\": \"Image\"",
            "A container image function declares PackageType Image; a .zip function uses \
             ZipFile or S3Bucket/S3Key instead of ImageUri.",
        ));
    }
    if image && code.image_uri.is_none() {
        return Err(DefinitionError::at(
            "Code",
            "An Image function takes its code from Code.ImageUri",
            "Set Code.ImageUri to the ECR image URI, or use PackageType Zip for a .zip package.",
        ));
    }
    Ok(())
}

/// What each package type requires or forbids, as CreateFunction enforces it.
pub(super) fn package_needs(def: &CreateFunctionJson) -> Check {
    if def.package_type.as_deref() == Some("Image") {
        for (key, set) in [
            ("Runtime", def.runtime.is_some()),
            ("Handler", def.handler.is_some()),
            ("Layers", def.layers.as_ref().is_some_and(|l| !l.is_empty())),
        ] {
            if set {
                return Err(DefinitionError::at(
                    key,
                    format!("{key} does not apply to an Image function"),
                    format!("A container image brings its own runtime and entry point: remove `{key}` (use ImageConfig to override the entry point)."),
                ));
            }
        }
        return Ok(());
    }
    for key in ["Runtime", "Handler"] {
        let set = if key == "Runtime" {
            def.runtime.is_some()
        } else {
            def.handler.is_some()
        };
        if !set {
            return Err(DefinitionError::at(
                key,
                format!("function_definition has no {key}"),
                format!("A .zip function needs `{key}` (e.g. \"Runtime\": \"python3.12\", \"Handler\": \"app.handler\"). For a container image set \"PackageType\": \"Image\"."),
            ));
        }
    }
    Ok(())
}
