// The query behind GET /me (db/users/user-repository.ts findUserProfile), with $n placeholders for pg.
export const ME_SQL = `select u.id, u.email, u.name, u.role, u.organization_id, o.name as organization_name,
        coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name, 'timezone', s.timezone,
                                                    'country', s.country, 'currency', s.currency) order by s.name, s.id)
                    from stores s
                   where s.organization_id = u.organization_id
                     and (u.role = 'admin' or exists (
                           select 1 from user_store_access a
                            where a.store_id = s.id and a.user_id = u.id
                              and a.organization_id = u.organization_id))),
                 '[]'::json) as stores
   from users u
   left join organizations o on o.id = u.organization_id
  where u.id = $1 and u.deleted_at is null and u.organization_id is not distinct from $2::uuid`;
