"""Re-key a protected gallery: revoke its key by moving its codes to a new key."""

import dataclasses

from lateral_keras.gallery import CodeGallery, GalleryError
from lateral_keras.protection.keyfile import key_id
from lateral_keras.protection.keying import rekey_codes


def rekey_gallery(gallery, old_key, new_key):
    """A copy of a keyed `CodeGallery` with its codes moved from `old_key` to `new_key`.

    Needs the old key (see `lateral_keras.protection.keying` for why, and for re-enrolment
    from photos as the alternative). Afterwards delete the old key file and the old gallery:
    codes stolen under the old key do not match the new gallery.

    Args:
        gallery: a keyed `CodeGallery`.
        old_key: the key its codes were made with (checked against its key id).
        new_key: the new key.

    Returns:
        A new `CodeGallery` (same backend, not saved).

    Raises:
        GalleryError: the gallery is not keyed, or `old_key` is not its key.

    Example:
        >>> new_key = write_key_file("new.key")  # doctest: +SKIP
        >>> new = rekey_gallery(load_gallery("fish.npz"), old_key, new_key)  # doctest: +SKIP
        >>> new.save("fish.npz")  # doctest: +SKIP
    """
    settings = gallery.settings
    if settings.kind != "codes" or settings.key_id is None:
        raise GalleryError(f"{gallery.name}: only a keyed code gallery can be re-keyed; enrol "
                           "it with `--key` instead.")
    if key_id(old_key) != settings.key_id:
        raise GalleryError(f"{gallery.name}: the old key given is not this gallery's key "
                           f"(id {settings.key_id}).")
    codes = rekey_codes(gallery.features, old_key, new_key, settings.q,
                        settings.permute_positions)
    new = CodeGallery(dataclasses.replace(settings, key_id=key_id(new_key)),
                      backend=gallery.backend)
    new.enrol(codes, gallery.identities, gallery.sessions, gallery.sides, gallery.image_ids)
    return new
