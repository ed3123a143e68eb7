"""(being written)"""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/self-service", tags=["self-service"])
