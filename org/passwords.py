"""Password policy beyond Django's validators: MLPS level 3 asks for complexity, not only length."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

CLASSES = {
    "小写字母": set(string.ascii_lowercase),
    "大写字母": set(string.ascii_uppercase),
    "数字": set(string.digits),
}


def character_classes(password: str) -> set[str]:
    found = {name for name, chars in CLASSES.items() if any(ch in chars for ch in password)}
    if any(not ch.isalnum() or not ch.isascii() for ch in password):
        found.add("符号")
    return found


class CharacterClassesValidator:
    """At least `min_classes` of lower-case letters, upper-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"
